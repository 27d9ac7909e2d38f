"""Write path for the risk register: permission, validation and audit in one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.services import audited_create, audited_delete, audited_update
from trustwide.common.services import require

from . import rules
from .models import Risk, RiskReview, RiskSettings

FIELDS = (
    "title",
    "category",
    "description",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "controls",
    "mitigation",
    "mitigating_action",
    "review_on",
    "status",
)


def _check(actor, *, trust, school) -> None:
    if actor is not None:
        require(rules.may_edit(actor, trust=trust, school=school), rules.EDIT_REFUSED)


@transaction.atomic
def risk_create(*, actor, trust, school=None, actor_label=None, **fields) -> Risk:
    _check(actor, trust=trust, school=school)
    today = timezone.localdate()
    review_on = fields.get("review_on")
    if review_on is not None and review_on < today:
        raise ValidationError({"review_on": "The review date of a new risk cannot be in the past."})
    fields = {k: v for k, v in fields.items() if k in FIELDS}
    risk = audited_create(
        actor=actor, actor_label=actor_label, model=Risk, trust=trust, school=school, **fields
    )
    audited_create(
        actor=actor,
        actor_label=actor_label,
        model=RiskReview,
        risk=risk,
        reviewed_on=today,
        likelihood=risk.residual_likelihood,
        impact=risk.residual_impact,
        note="Risk added to the register.",
        reviewed_by=actor,
    )
    return risk


@transaction.atomic
def risk_update(*, actor, risk: Risk, actor_label=None, **changes) -> Risk:
    _check(actor, trust=risk.trust, school=risk.school)
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    return audited_update(actor=actor, actor_label=actor_label, instance=risk, **changes)


@transaction.atomic
def risk_delete(*, actor, risk: Risk, actor_label=None) -> None:
    """Delete a risk entered in error, with its reviews; each deletion is audited (before
    values kept). A risk that has ended is closed instead (risk_update status)."""
    _check(actor, trust=risk.trust, school=risk.school)
    for review in list(risk.reviews.all()):
        audited_delete(actor=actor, actor_label=actor_label, instance=review)
    audited_delete(actor=actor, actor_label=actor_label, instance=risk)


@transaction.atomic
def risk_review(
    *,
    actor,
    risk: Risk,
    likelihood: int,
    impact: int,
    next_review_on,
    note: str = "",
    reviewed_on=None,
    actor_label=None,
) -> RiskReview:
    """Record a review: the new residual scores, a note and the next review date."""
    _check(actor, trust=risk.trust, school=risk.school)
    reviewed_on = reviewed_on or timezone.localdate()
    if next_review_on is not None and next_review_on < reviewed_on:
        raise ValidationError({"next_review_on": "The next review date is before this review."})
    review = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=RiskReview,
        risk=risk,
        reviewed_on=reviewed_on,
        likelihood=likelihood,
        impact=impact,
        note=note,
        reviewed_by=actor,
    )
    audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=risk,
        residual_likelihood=likelihood,
        residual_impact=impact,
        review_on=next_review_on,
    )
    return review


@transaction.atomic
def threshold_set(*, actor, trust, threshold: int, actor_label=None) -> RiskSettings:
    if actor is not None:
        require(rules.may_set_threshold(actor, trust), rules.THRESHOLD_REFUSED)
    current = RiskSettings.objects.filter(trust=trust).first()
    if current is None:
        return audited_create(
            actor=actor,
            actor_label=actor_label,
            model=RiskSettings,
            trust=trust,
            rollup_threshold=threshold,
        )
    return audited_update(
        actor=actor, actor_label=actor_label, instance=current, rollup_threshold=threshold
    )
