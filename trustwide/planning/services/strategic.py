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


# The turn of the year ----------------------------------------------------------------------------


def strategic_plan_covering(trust, start_year: int) -> StrategicPlan | None:
    """The trust's strategic plan whose years include this academic year (the newest if two do)."""
    for plan in StrategicPlan.objects.filter(trust=trust, first_year__lte=start_year).order_by(
        "-first_year"
    ):
        if start_year < plan.first_year + plan.years:
            return plan
    return None


def _copy_priorities(*, actor, actor_label, old: StrategicPlan, new: StrategicPlan) -> None:
    for p in old.priorities.prefetch_related("indicators"):
        copy = audited_create(
            actor=actor,
            actor_label=actor_label,
            model=TrustPriority,
            strategic_plan=new,
            number=p.number,
            code=p.code,
            title=p.title,
            theme=p.theme,
            narrative=p.narrative,
            long_term_goal=p.long_term_goal,
            key_strategies=p.key_strategies,
            lead_officers=p.lead_officers,
        )
        for i in p.indicators.all():
            audited_create(
                actor=actor,
                actor_label=actor_label,
                model=SuccessIndicator,
                priority=copy,
                stage=i.stage,
                text=i.text,
                order=i.order,
            )


@transaction.atomic
def _strategic_plan_carry_forward(
    *, actor, trust, from_year, to_year, actor_label=None
) -> tuple[list[str], list[str]]:
    """Next year's strategic plan and pocket guide as drafts, without the permission check (the
    trust's roll-over checks its own rule first). The plan in force carries on while its years
    last; when it ends with this year, a draft successor with the same priorities is started
    (drafts until the board approves a version). The pocket guide is copied item by item onto
    the plan for next year, unpublished. Returns (what was created, what already existed)."""
    created: list[str] = []
    existing: list[str] = []
    current = strategic_plan_covering(trust, from_year.start_year)
    target = strategic_plan_covering(trust, to_year.start_year)
    if target is not None:
        existing.append(f"{target.title} covers {to_year.label}")
    elif current is not None:
        target = audited_create(
            actor=actor,
            actor_label=actor_label,
            model=StrategicPlan,
            trust=trust,
            title=f"Strategic plan {to_year.start_year}-{to_year.start_year + current.years} (draft)",
            first_year=to_year.start_year,
            years=current.years,
            vision=current.vision,
        )
        _copy_priorities(actor=actor, actor_label=actor_label, old=current, new=target)
        created.append(f"{target.title}, from {current.title}")
    if target is None:
        return created, existing
    if PocketGuide.objects.filter(strategic_plan__trust=trust, academic_year=to_year).exists():
        existing.append(f"pocket guide {to_year.label}")
        return created, existing
    old_guide = (
        PocketGuide.objects.filter(strategic_plan__trust=trust, academic_year=from_year)
        .prefetch_related("items__priority")
        .first()
    )
    if old_guide is None:
        return created, existing
    guide = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=PocketGuide,
        strategic_plan=target,
        academic_year=to_year,
        introduction=old_guide.introduction,
    )
    by_number = {p.number: p for p in target.priorities.all()}
    for item in old_guide.items.all():
        priority = by_number.get(item.priority.number)
        if priority is None:
            continue
        audited_create(
            actor=actor,
            actor_label=actor_label,
            model=PocketGuideItem,
            guide=guide,
            priority=priority,
            headline=item.headline,
            focus_learning=item.focus_learning,
            focus_leadership=item.focus_leadership,
            focus_parental=item.focus_parental,
            plan_kind=item.plan_kind,
        )
    created.append(f"pocket guide {to_year.label} (draft, {guide.items.count()} priorities)")
    return created, existing
