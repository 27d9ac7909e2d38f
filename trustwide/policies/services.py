"""Write path for the policy register: permission, validation and audit in one transaction.

Who may edit: rules.may_edit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.services import audited_create, audited_delete, audited_update
from trustwide.common.services import require

from . import rules
from .models import Policy, PolicyReview, PolicyStatus
from .review_dates import add_months

FIELDS = (
    "title",
    "category",
    "statutory",
    "owner",
    "approver",
    "approved_on",
    "review_every_months",
    "next_review_on",
    "document_url",
    "notes",
    "status",
)


def _check(actor, *, trust, school) -> None:
    if actor is not None:
        require(rules.may_edit(actor, trust=trust, school=school), rules.EDIT_REFUSED)


may_edit = rules.may_edit  # kept here for the tests that ask the services


@transaction.atomic
def policy_create(*, actor, trust, school=None, actor_label=None, **fields) -> Policy:
    """Add a policy. An empty next review date is worked out from the approval date."""
    if school is not None and school.trust_id != trust.pk:
        raise ValidationError({"school": "That school belongs to another trust."})
    _check(actor, trust=trust, school=school)
    fields = {k: v for k, v in fields.items() if k in FIELDS}
    return audited_create(
        actor=actor, actor_label=actor_label, model=Policy, trust=trust, school=school, **fields
    )


@transaction.atomic
def policy_update(*, actor, policy: Policy, actor_label=None, **changes) -> Policy:
    """Change a policy (not its trust or school). If the approval date or interval changes and
    the next review date was the computed one, it is computed again; an empty one likewise."""
    _check(actor, trust=policy.trust, school=policy.school)
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    was_computed = policy.next_review_on == policy.computed_next_review()
    moved = any(
        k in changes and changes[k] != getattr(policy, k)
        for k in ("approved_on", "review_every_months")
    )
    if "next_review_on" not in changes and moved and was_computed:
        changes["next_review_on"] = None
    return audited_update(actor=actor, actor_label=actor_label, instance=policy, **changes)


@transaction.atomic
def policy_record_review(
    *,
    actor,
    policy: Policy,
    approved_on,
    reviewed_on=None,
    approver: str = "",
    changes: str = "",
    next_review_on=None,
    actor_label=None,
) -> PolicyReview:
    """Record a review that (re-)approved the policy: sets its approval date, approver and next
    review date (empty: from the approval date and interval) and makes it current."""
    _check(actor, trust=policy.trust, school=policy.school)
    if policy.status == PolicyStatus.RETIRED:
        raise ValidationError("This policy is retired: edit its status before recording a review.")
    reviewed_on = reviewed_on or approved_on
    if policy.approved_on and approved_on and approved_on < policy.approved_on:
        raise ValidationError(
            {
                "approved_on": f"The policy was last approved on {policy.approved_on:%d/%m/%Y}: "
                "a new approval cannot be earlier."
            }
        )
    approver = approver or policy.approver
    if next_review_on is None and approved_on is not None:
        next_review_on = add_months(approved_on, policy.review_every_months)
    review = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=PolicyReview,
        policy=policy,
        reviewed_on=reviewed_on,
        approved_on=approved_on,
        approver=approver,
        changes=changes,
        next_review_on=next_review_on,
        reviewed_by=actor if actor is not None and actor.pk else None,
    )
    audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=policy,
        approved_on=approved_on,
        approver=approver,
        next_review_on=next_review_on,
        status=PolicyStatus.CURRENT,
    )
    return review


@transaction.atomic
def policy_retire(*, actor, policy: Policy, actor_label=None) -> Policy:
    """Retire a policy no longer in force: it stays on record, off the due lists."""
    _check(actor, trust=policy.trust, school=policy.school)
    return audited_update(
        actor=actor, actor_label=actor_label, instance=policy, status=PolicyStatus.RETIRED
    )


@transaction.atomic
def policy_delete(*, actor, policy: Policy, actor_label=None) -> None:
    """Delete a policy entered in error, with its reviews; each deletion is audited."""
    _check(actor, trust=policy.trust, school=policy.school)
    for review in list(policy.reviews.all()):
        audited_delete(actor=actor, actor_label=actor_label, instance=review)
    audited_delete(actor=actor, actor_label=actor_label, instance=policy)
