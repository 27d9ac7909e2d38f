"""The trust's part of a school plan's sign-off chain, after local governors agree it:

agreed by governors > signed off by the trust (CEO or delegate) > agreed by the trust board
(recorded against a held board meeting) > in progress. The trust may instead return an agreed
plan to draft with a reason; every return is kept (PlanReturn) so reasons show in order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_update, record_event
from trustwide.common import steps
from trustwide.common.services import require

from .. import rules
from ..models import PlanReturn, PlanStatus, ReturnStage, SchoolPlan
from .workflow import _require_status, _step

BOARD_KIND = "board"  # governance BodyKind.BOARD; governance imports planning, so not imported here
HELD = "held"  # governance MeetingStatus.HELD


@transaction.atomic
def plan_sign_off(*, actor, plan: SchoolPlan, actor_label=None) -> SchoolPlan:
    require(rules.may_sign_off(actor, plan.school), rules.SIGN_OFF_REFUSED)
    _require_status(plan, PlanStatus.AGREED, doing="signed off")
    plan = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.SIGN_OFF,
        status=PlanStatus.SIGNED_OFF,
        signed_off_by=actor,
        signed_off_at=timezone.now(),
    )
    _step(plan, steps.PLAN_SIGNED_OFF, actor, actor_label)
    return plan


@transaction.atomic
def plan_return_by_trust(*, actor, plan: SchoolPlan, reason: str, actor_label=None) -> SchoolPlan:
    """The CEO sends a plan governors agreed (or the trust signed off) back to draft. Governors'
    agreement and any sign-off are cleared, so the status line never claims an agreement that
    no longer stands; the audit history keeps them."""
    require(rules.may_sign_off(actor, plan.school), rules.SIGN_OFF_REFUSED)
    _require_status(plan, PlanStatus.AGREED, PlanStatus.SIGNED_OFF, doing="returned by the trust")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Say why the plan goes back (a sentence the headteacher can act on)."}
        )
    plan = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.RETURN_BY_TRUST,
        status=PlanStatus.DRAFT,
        agreed_by=None,
        agreed_on=None,
        agreed_meeting="",
        signed_off_by=None,
        signed_off_at=None,
        submitted_at=None,
        submitted_by=None,
    )
    PlanReturn.objects.create(
        plan=plan,
        stage=ReturnStage.TRUST,
        reason=reason,
        returned_by=actor,
        returned_by_label=actor_label or "",
    )
    record_event(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.COMMENT,
        instance=plan,
        before=None,
        after={"reason": reason},
    )
    return plan


@transaction.atomic
def plan_board_agree(*, actor, plan: SchoolPlan, meeting, actor_label=None) -> SchoolPlan:
    """Record that the trust board agreed the signed-off plan at `meeting` (a governance Meeting
    of this trust's board that has been held). The plan is then in progress."""
    require(rules.may_sign_off(actor, plan.school), rules.BOARD_AGREE_REFUSED)
    _require_status(plan, PlanStatus.SIGNED_OFF, doing="agreed by the trust board")
    if meeting is None:
        raise ValidationError({"meeting": "Choose the trust board meeting that agreed the plan."})
    body = meeting.body
    if body.trust_id != plan.school.trust_id or body.kind != BOARD_KIND:
        raise ValidationError({"meeting": f"'{meeting}' is not a meeting of this trust's board."})
    if meeting.status != HELD or meeting.held_on > timezone.localdate():
        raise ValidationError(
            {
                "meeting": f"'{meeting}' has not been held yet; record the agreement after it is "
                "marked as held."
            }
        )
    plan = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        action=AuditAction.BOARD_AGREE,
        status=PlanStatus.IN_PROGRESS,
        board_meeting=meeting,
        started_at=timezone.now(),
    )
    _step(plan, steps.PLAN_BOARD_AGREED, actor, actor_label)
    return plan
