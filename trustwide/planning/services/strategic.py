"""Writes to the trust strategic plan and the pocket guide (trust leaders)."""

from __future__ import annotations

from django.db import transaction

from trustwide.audit.services import audited_create, audited_delete, audited_update
from trustwide.common.services import require

from .. import rules
from ..models import (
    IndicatorStage,
    PocketGuide,
    PocketGuideItem,
    StrategicPlan,
    SuccessIndicator,
    TrustPriority,
)


def strategic_plan_create(
    *, actor, trust, title: str, first_year: int, years: int = 5, vision: str = "", actor_label=None
) -> StrategicPlan:
    require(rules.may_edit_strategic_plan(actor, trust.pk), rules.STRATEGIC_EDIT_REFUSED)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=StrategicPlan,
        trust=trust,
        title=title,
        first_year=first_year,
        years=years,
        vision=vision,
    )


def strategic_plan_update(
    *, actor, plan: StrategicPlan, actor_label=None, **changes
) -> StrategicPlan:
    require(rules.may_edit_strategic_plan(actor, plan.trust_id), rules.STRATEGIC_EDIT_REFUSED)
    return audited_update(actor=actor, actor_label=actor_label, instance=plan, **changes)


def _sync_indicators(
    *, actor, priority: TrustPriority, indicators: dict[str, list[str]], actor_label
) -> None:
    existing = {(i.stage, i.order): i for i in priority.indicators.all()}
    wanted = {}
    for stage in IndicatorStage.values:
        for order, text in enumerate(t.strip() for t in indicators.get(stage, []) if t.strip()):
            wanted[(stage, order)] = text
    for key, indicator in existing.items():
        if key not in wanted:
            audited_delete(actor=actor, actor_label=actor_label, instance=indicator)
        elif indicator.text != wanted[key]:
            audited_update(
                actor=actor, actor_label=actor_label, instance=indicator, text=wanted[key]
            )
    for (stage, order), text in wanted.items():
        if (stage, order) not in existing:
            audited_create(
                actor=actor,
                actor_label=actor_label,
                model=SuccessIndicator,
                priority=priority,
                stage=stage,
                order=order,
                text=text,
            )


@transaction.atomic
def trust_priority_create(
    *,
    actor,
    strategic_plan: StrategicPlan,
    indicators: dict[str, list[str]] | None = None,
    actor_label=None,
    **fields,
) -> TrustPriority:
    require(
        rules.may_edit_strategic_plan(actor, strategic_plan.trust_id), rules.STRATEGIC_EDIT_REFUSED
    )
    if not fields.get("code") and fields.get("number"):
        fields["code"] = f"MSP{fields['number']}"
    priority = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=TrustPriority,
        strategic_plan=strategic_plan,
        **fields,
    )
    _sync_indicators(
        actor=actor, priority=priority, indicators=indicators or {}, actor_label=actor_label
    )
    return priority


@transaction.atomic
def trust_priority_update(
    *,
    actor,
    priority: TrustPriority,
    indicators: dict[str, list[str]] | None = None,
    actor_label=None,
    **changes,
) -> TrustPriority:
    require(
        rules.may_edit_strategic_plan(actor, priority.strategic_plan.trust_id),
        rules.STRATEGIC_EDIT_REFUSED,
    )
    audited_update(actor=actor, actor_label=actor_label, instance=priority, **changes)
    if indicators is not None:
        _sync_indicators(
            actor=actor, priority=priority, indicators=indicators, actor_label=actor_label
        )
    return priority


@transaction.atomic
def pocket_guide_save(
    *,
    actor,
    strategic_plan: StrategicPlan,
    academic_year,
    items: list[dict],
    introduction: str = "",
    actor_label=None,
) -> PocketGuide:
    """items: dicts of priority, headline, focus_learning, focus_leadership, focus_parental,
    plan_kind. Priorities not listed leave the guide."""
    require(
        rules.may_edit_strategic_plan(actor, strategic_plan.trust_id), rules.STRATEGIC_EDIT_REFUSED
    )
    guide = PocketGuide.objects.filter(
        strategic_plan=strategic_plan, academic_year=academic_year
    ).first()
    if guide is None:
        guide = audited_create(
            actor=actor,
            actor_label=actor_label,
            model=PocketGuide,
            strategic_plan=strategic_plan,
            academic_year=academic_year,
            introduction=introduction,
        )
    else:
        audited_update(
            actor=actor, actor_label=actor_label, instance=guide, introduction=introduction
        )
    current = {item.priority_id: item for item in guide.items.all()}
    keep = set()
    for data in items:
        data = dict(data)
        priority = data.pop("priority")
        keep.add(priority.pk)
        if priority.pk in current:
            audited_update(
                actor=actor, actor_label=actor_label, instance=current[priority.pk], **data
            )
        else:
            audited_create(
                actor=actor,
                actor_label=actor_label,
                model=PocketGuideItem,
                guide=guide,
                priority=priority,
                **data,
            )
    for priority_id, item in current.items():
        if priority_id not in keep:
            audited_delete(actor=actor, actor_label=actor_label, instance=item)
    return guide
