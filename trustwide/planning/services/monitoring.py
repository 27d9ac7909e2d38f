"""Writes to the monitoring schedule and its records, and the trust's judgement scale."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.services import audited_create, audited_update
from trustwide.common.services import require

from .. import rules
from ..models import (
    DEFAULT_SCALE,
    ActivityKind,
    MonitoringActivity,
    MonitoringRecord,
    MonitoringScale,
    PlanStatus,
)


def scale_for_trust(trust_id: int) -> MonitoringScale:
    """The trust's scale, or the default (Outstanding / Good / Requires improvement /
    Inadequate, the first two at least good) when the trust has not chosen one."""
    scale = MonitoringScale.objects.filter(trust_id=trust_id).first()
    return scale or MonitoringScale(
        trust_id=trust_id, grades=list(DEFAULT_SCALE), good_or_better_count=2
    )


@transaction.atomic
def monitoring_scale_save(
    *, actor, trust, grades: list[str], good_or_better_count: int, actor_label=None
) -> MonitoringScale:
    require(rules.may_edit_strategic_plan(actor, trust.pk), rules.SCALE_REFUSED)
    grades = [g.strip() for g in grades if g.strip()]
    scale = MonitoringScale.objects.filter(trust=trust).first()
    if scale is None:
        return audited_create(
            actor=actor,
            actor_label=actor_label,
            model=MonitoringScale,
            trust=trust,
            grades=grades,
            good_or_better_count=good_or_better_count,
        )
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=scale,
        grades=grades,
        good_or_better_count=good_or_better_count,
    )


def _require_schedule_edit(actor, plan) -> None:
    require(rules.may_edit_plans(actor, plan.school), rules.MONITORING_SCHEDULE_REFUSED)
    if plan.status == PlanStatus.EVALUATED:
        raise ValidationError("This plan has been evaluated and is closed.")


def activity_create(*, actor, plan, actor_label=None, **fields) -> MonitoringActivity:
    _require_schedule_edit(actor, plan)
    return audited_create(
        actor=actor, actor_label=actor_label, model=MonitoringActivity, plan=plan, **fields
    )


def activity_update(
    *, actor, activity: MonitoringActivity, actor_label=None, **changes
) -> MonitoringActivity:
    _require_schedule_edit(actor, activity.plan)
    return audited_update(actor=actor, actor_label=actor_label, instance=activity, **changes)


@transaction.atomic
def record_create(
    *,
    actor,
    activity: MonitoringActivity,
    carried_out_on,
    findings: str,
    judgement: str = "",
    next_steps: str = "",
    evidence_link: str = "",
    evidence_note: str = "",
    evidence_file=None,
    actor_label=None,
) -> MonitoringRecord:
    """Record what an activity found. Lesson observations need a judgement on the trust's scale."""
    plan = activity.plan
    require(rules.may_record_monitoring(actor, plan.school), rules.MONITORING_RECORD_REFUSED)
    if activity.cancelled:
        raise ValidationError("This activity was cancelled.")
    judgement = (judgement or "").strip()
    good_or_better = None
    if activity.kind == ActivityKind.LESSON_OBSERVATION:
        scale = scale_for_trust(plan.school.trust_id)
        if not judgement:
            raise ValidationError({"judgement": "A lesson observation needs a judgement."})
        if judgement not in scale.grades:
            raise ValidationError({"judgement": f"Choose one of: {', '.join(scale.grades)}."})
        good_or_better = scale.is_good_or_better(judgement)
    elif judgement:
        raise ValidationError(
            {"judgement": "Only lesson observations carry a judgement on the scale."}
        )
    if carried_out_on and carried_out_on < plan.academic_year.starts_on:
        raise ValidationError({"carried_out_on": "The date is before the plan's academic year."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=MonitoringRecord,
        activity=activity,
        carried_out_on=carried_out_on,
        findings=findings,
        judgement=judgement,
        good_or_better=good_or_better,
        next_steps=next_steps,
        evidence_link=evidence_link,
        evidence_note=evidence_note,
        evidence_file=evidence_file or "",
        recorded_by=actor,
    )
