"""The plan workflow: draft > submitted > agreed by governors > in progress > evaluated.

Each transition is an explicit service that checks who may make it and records a typed
audit event on the plan ("submit", "agree", ...), so the plan's history tells the story.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_update, record_event
from trustwide.common import steps
from trustwide.common.services import require

from .. import rules
from ..models import PlanReturn, PlanStatus, ReturnStage, SchoolPlan, SuccessCriterion
from ..smart import priority_problems, success_criterion_problems


def _step(plan: SchoolPlan, event: str, actor, actor_label) -> None:
    """The annual cycle's step for the plan's school is done (common/steps.py)."""
    steps.step_done(
        trust=plan.school.trust,
        school=plan.school,
        event=event,
        actor=actor,
        actor_label=actor_label,
    )


def _require_status(plan: SchoolPlan, *allowed: str, doing: str) -> None:
    if plan.status not in allowed:
        names = " or ".join(PlanStatus(s).label.lower() for s in allowed)
        raise ValidationError(
            f"Only a plan that is {names} can be {doing}; this one is {plan.get_status_display().lower()}."
        )


def failing_criteria(plan: SchoolPlan) -> list[tuple[SuccessCriterion, list]]:
    criteria = SuccessCriterion.objects.filter(priority__plan=plan).select_related("priority")
    return [(c, problems) for c in criteria if (problems := success_criterion_problems(c))]


@transaction.atomic
def plan_submit(*, actor, plan: SchoolPlan, actor_label=None) -> SchoolPlan:
    """Headteacher or senior leader sends the plan to governors. Refused while a success
    criterion is not SMART, unless a leader has overridden the check with a reason."""
    require(rules.may_lead_plan(actor, plan.school), rules.SUBMIT_REFUSED)
    _require_status(plan, PlanStatus.DRAFT, doing="submitted")
    if not plan.priorities.exists():
        raise ValidationError("Add at least one priority before submitting the plan.")
    bare = [p for p in plan.priorities.prefetch_related("criteria") if priority_problems(p)]
    if bare:
        # Not overridable: the override accepts imperfect wording, not a priority nobody can judge.
        names = "; ".join(f"priority {p.number} '{p.title[:60]}'" for p in bare)
        raise ValidationError(
            f"Every priority needs at least one success criterion; add one to {names}."
        )
    failing = failing_criteria(plan)
    if failing and not plan.smart_override_reason:
        raise ValidationError(
            f"{len(failing)} success criteri{'on is' if len(failing) == 1 else 'a are'} not SMART yet. "
            "Fix them, or ask a headteacher or trust leader to override the check with a reason."
        )
    plan = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.SUBMIT,
        status=PlanStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor if actor is not None else None,
    )
    _step(plan, steps.PLAN_SUBMITTED, actor, actor_label)
    return plan


@transaction.atomic
def plan_smart_override(*, actor, plan: SchoolPlan, reason: str, actor_label=None) -> SchoolPlan:
    require(rules.may_override_smart(actor, plan.school), rules.SMART_OVERRIDE_REFUSED)
    _require_status(plan, PlanStatus.DRAFT, PlanStatus.SUBMITTED, doing="given a SMART override")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Give the reason for overriding the SMART check (a sentence)."}
        )
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.OVERRIDE_SMART,
        smart_override_reason=reason,
        smart_override_by=actor,
        smart_override_at=timezone.now(),
    )


@transaction.atomic
def plan_agree(
    *, actor, plan: SchoolPlan, meeting: str, agreed_on: datetime.date, actor_label=None
) -> SchoolPlan:
    """A local governor records that the governing committee agreed the plan, at which meeting."""
    require(rules.may_agree_plan(actor, plan.school), rules.AGREE_REFUSED)
    _require_status(plan, PlanStatus.SUBMITTED, doing="agreed")
    errors = {}
    if not (meeting or "").strip():
        errors["meeting"] = "Name the meeting at which governors agreed the plan."
    if agreed_on is None:
        errors["agreed_on"] = "Give the date of the meeting."
    elif agreed_on > timezone.localdate():
        errors["agreed_on"] = "The meeting date is in the future."
    if errors:
        raise ValidationError(errors)
    plan = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.AGREE,
        status=PlanStatus.AGREED,
        agreed_by=actor,
        agreed_on=agreed_on,
        agreed_meeting=meeting.strip(),
    )
    _step(plan, steps.PLAN_AGREED_BY_GOVERNORS, actor, actor_label)
    return plan


@transaction.atomic
def plan_return(*, actor, plan: SchoolPlan, reason: str, actor_label=None) -> SchoolPlan:
    """Governors send a submitted plan back, or leaders withdraw it, to draft."""
    require(rules.may_return_plan(actor, plan.school), rules.RETURN_REFUSED)
    _require_status(plan, PlanStatus.SUBMITTED, doing="returned to draft")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the plan goes back to draft."})
    plan = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.RETURN_TO_DRAFT,
        status=PlanStatus.DRAFT,
    )
    PlanReturn.objects.create(
        plan=plan,
        stage=ReturnStage.GOVERNORS,
        reason=reason.strip(),
        returned_by=actor,
        returned_by_label=actor_label or "",
    )
    record_event(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.COMMENT,
        instance=plan,
        before=None,
        after={"reason": reason.strip()},
    )
    return plan


@transaction.atomic
def plan_start(*, actor, plan: SchoolPlan, actor_label=None) -> SchoolPlan:
    """Kept for callers of the old chain. A plan now goes into progress only when the trust has
    signed it off and the board's agreement is recorded (services/signoff.py), so this refuses."""
    require(rules.may_lead_plan(actor, plan.school), rules.START_REFUSED)
    raise ValidationError(
        "A plan goes into progress when the trust has signed it off and the trust board's "
        f"agreement is recorded; this one is {plan.get_status_display().lower()}."
    )


@transaction.atomic
def plan_evaluate(
    *, actor, plan: SchoolPlan, impact_statements: dict[int, str], actor_label=None
) -> SchoolPlan:
    """Close the year: an impact statement for every priority, then the plan is evaluated."""
    require(rules.may_lead_plan(actor, plan.school), rules.EVALUATE_REFUSED)
    _require_status(plan, PlanStatus.IN_PROGRESS, doing="evaluated")
    priorities = list(plan.priorities.all())
    missing = [p for p in priorities if not (impact_statements.get(p.pk) or "").strip()]
    if missing:
        raise ValidationError(
            {f"impact_{p.pk}": "Write the impact statement for this priority." for p in missing}
        )
    for priority in priorities:
        audited_update(
            actor=actor,
            actor_label=actor_label,
            instance=priority,
            impact_statement=impact_statements[priority.pk].strip(),
        )
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.EVALUATE,
        status=PlanStatus.EVALUATED,
        evaluated_at=timezone.now(),
    )
