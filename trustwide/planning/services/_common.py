"""Permission and history helpers shared by the planning services."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot
from trustwide.common.services import require

from .. import rules
from ..models import PlanStatus, SchoolPlan


def require_plan_edit(actor, plan: SchoolPlan) -> None:
    require(rules.may_edit_plans(actor, plan.school), rules.PLAN_EDIT_REFUSED)
    # Read the status afresh: the caller's copy may predate a transition.
    plan.status = (
        SchoolPlan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
        or plan.status
    )
    if plan.status == PlanStatus.EVALUATED:
        raise ValidationError(
            "This plan has been evaluated and is closed. Copy it into next year to carry on."
        )


def note_edit_after_agreement(
    *,
    actor,
    plan: SchoolPlan,
    verb: str,
    instance,
    before: dict | None,
    after: dict | None,
    actor_label=None,
) -> None:
    """Edits to an agreed plan are allowed but shown in the plan's own history, so governors
    see what changed after they agreed it."""
    if not plan.is_agreed:
        return
    label = f"{instance._meta.verbose_name} '{str(instance)[:80]}'"
    record_event(
        actor=actor,
        action=AuditAction(f"{verb} after agreement"),
        instance=plan,
        actor_label=actor_label,
        before={"item": label, **(before or {})},
        after={"item": label, **(after or {})},
    )


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


__all__ = ["changed_only", "note_edit_after_agreement", "require_plan_edit", "snapshot"]
