"""Year-end and mid-year reviews of a school plan: started and written by school leaders (impact
statements per priority, conclusions), submitted once; a year-end review is then scrutinised
by the local governing committee and goes on to the board. Each step completes its line of
the annual cycle (common/steps.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update
from trustwide.common import steps
from trustwide.common.services import require

from .. import rules
from ..models import PlanReview, ReviewKind, ReviewStatus, SchoolPlan

SUBMIT_STEPS = {
    ReviewKind.YEAR_END: steps.YEAR_END_REVIEW_SUBMITTED,
    ReviewKind.MID_YEAR: steps.MID_YEAR_REVIEW_SUBMITTED,
}


def _current_start_year(plan: SchoolPlan) -> int | None:
    return (
        plan.school.trust.academic_years.filter(is_current=True)
        .values_list("start_year", flat=True)
        .first()
    )


@transaction.atomic
def review_start(*, actor, plan: SchoolPlan, kind: str, actor_label=None) -> PlanReview:
    """Start the year-end review of last year's plan (or an earlier one), or the mid-year review
    of this year's plan."""
    require(rules.may_write_review(actor, plan.school), rules.REVIEW_REFUSED)
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": f"'{kind}' is not a review; choose year_end or mid_year."})
    current = _current_start_year(plan)
    year = plan.academic_year.start_year
    if kind == ReviewKind.YEAR_END and current is not None and year >= current:
        raise ValidationError(
            "The year-end review is of a plan whose year is over: review last year's plan "
            "in October."
        )
    if kind == ReviewKind.MID_YEAR and current is not None and year != current:
        raise ValidationError("The mid-year review is of this year's plan.")
    existing = PlanReview.objects.filter(plan=plan, kind=kind).first()
    if existing is not None:
        raise ValidationError(f"This plan's {existing.get_kind_display().lower()} is started.")
    return audited_create(
        actor=actor, actor_label=actor_label, model=PlanReview, plan=plan, kind=kind
    )


def _require_draft(review: PlanReview) -> None:
    if review.status != ReviewStatus.DRAFT:
        raise ValidationError(
            f"This review was submitted on {review.submitted_at:%d/%m/%Y}; it can no longer be "
            "changed or submitted again."
        )


@transaction.atomic
def review_update(
    *, actor, review: PlanReview, impacts: dict, conclusions: str, actor_label=None
) -> PlanReview:
    """Write the impact statement of each priority (keyed by priority pk) and the conclusions."""
    review = PlanReview.objects.select_for_update().select_related("plan__school").get(pk=review.pk)
    require(rules.may_write_review(actor, review.plan.school), rules.REVIEW_REFUSED)
    _require_draft(review)
    own = set(review.plan.priorities.values_list("pk", flat=True))
    stray = [pk for pk in impacts if int(pk) not in own]
    if stray:
        raise ValidationError("An impact statement names a priority of another plan.")
    cleaned = {
        str(pk): (text or "").strip() for pk, text in impacts.items() if (text or "").strip()
    }
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        impacts=cleaned,
        conclusions=(conclusions or "").strip(),
    )


@transaction.atomic
def review_submit(*, actor, review: PlanReview, actor_label=None) -> PlanReview:
    """Send the review to governors (year-end) or close it (mid-year: its conclusions then feed
    next year's MSP draft). Every priority needs an impact statement, and there must be
    conclusions. Submitted once."""
    review = PlanReview.objects.select_for_update().select_related("plan__school").get(pk=review.pk)
    school = review.plan.school
    require(rules.may_write_review(actor, school), rules.REVIEW_REFUSED)
    _require_draft(review)
    missing = [
        f"priority {p.number} '{p.title[:60]}'"
        for p in review.plan.priorities.order_by("number")
        if not review.impacts.get(str(p.pk))
    ]
    errors = {}
    if missing:
        errors["impacts"] = "Write the impact statement of " + "; ".join(missing) + "."
    if not review.conclusions:
        errors["conclusions"] = "Write the review's conclusions."
    if errors:
        raise ValidationError(errors)
    review = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        action=AuditAction.SUBMIT,
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    steps.step_done(
        trust=school.trust,
        school=school,
        event=SUBMIT_STEPS[review.kind],
        actor=actor,
        actor_label=actor_label,
    )
    return review


@transaction.atomic
def review_scrutinise(*, actor, review: PlanReview, notes: str, actor_label=None) -> PlanReview:
    """Local governors record their scrutiny of a submitted year-end review (at their meeting);
    it then goes on to the board."""
    review = PlanReview.objects.select_for_update().select_related("plan__school").get(pk=review.pk)
    school = review.plan.school
    require(rules.may_agree_plan(actor, school), rules.SCRUTINY_REFUSED)
    if review.kind != ReviewKind.YEAR_END:
        raise ValidationError("Only the year-end review goes to governors for scrutiny.")
    if review.status == ReviewStatus.SCRUTINISED:
        raise ValidationError(
            f"Governors scrutinised this review on {review.scrutinised_at:%d/%m/%Y}."
        )
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError("The review has not been sent to governors yet.")
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "Record what governors concluded from their scrutiny."})
    review = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        action=AuditAction.SCRUTINISE,
        status=ReviewStatus.SCRUTINISED,
        scrutiny_notes=notes,
        scrutinised_at=timezone.now(),
        scrutinised_by=actor,
    )
    steps.step_done(
        trust=school.trust,
        school=school,
        event=steps.YEAR_END_REVIEW_SCRUTINISED,
        actor=actor,
        actor_label=actor_label,
    )
    return review
