"""The trust's year-end review of a year of its strategic plan (models/msp_year_review.py):
started and written by trust leaders (outcome against the success indicators and an impact
statement per trust priority, conclusions), then presented to the trust board at a held board
meeting, once. Presenting completes its line of the annual cycle (common/steps.py)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update
from trustwide.common import steps
from trustwide.common.services import require
from trustwide.trusts.utils import academic_start_year

from .. import rules
from ..models import MspReviewStatus, MspYearReview, StrategicPlan
from .signoff import BOARD_KIND, HELD


def _current_start_year(trust) -> int:
    current = (
        trust.academic_years.filter(is_current=True).values_list("start_year", flat=True).first()
    )
    return current if current is not None else academic_start_year(timezone.localdate())


def year_has_ended(trust, academic_year) -> bool:
    return academic_year.start_year < _current_start_year(trust)


@transaction.atomic
def msp_year_review_start(
    *, actor, strategic_plan: StrategicPlan, academic_year, actor_label=None
) -> MspYearReview:
    """Start the year-end review of one year of the strategic plan: a year the plan covers and
    that is over (reviewed from the October after it)."""
    trust = strategic_plan.trust
    require(rules.may_edit_strategic_plan(actor, trust.pk), rules.MSP_REVIEW_REFUSED)
    if academic_year is None or academic_year.trust_id != trust.pk:
        raise ValidationError({"academic_year": "Choose an academic year of the trust."})
    first, years = strategic_plan.first_year, strategic_plan.years
    if not first <= academic_year.start_year < first + years:
        raise ValidationError(
            {
                "academic_year": f"{academic_year.label} is not a year of '{strategic_plan}' "
                f"({strategic_plan.period_label})."
            }
        )
    if not year_has_ended(trust, academic_year):
        raise ValidationError(
            {
                "academic_year": f"{academic_year.label} is not over yet: its year-end review is "
                f"written from September {academic_year.start_year + 1}."
            }
        )
    if MspYearReview.objects.filter(
        strategic_plan=strategic_plan, academic_year=academic_year
    ).exists():
        raise ValidationError(f"The year-end review of {academic_year.label} is already started.")
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=MspYearReview,
        strategic_plan=strategic_plan,
        academic_year=academic_year,
    )


def _locked(review: MspYearReview) -> MspYearReview:
    review = (
        MspYearReview.objects.select_for_update(of=("self",))  # board_meeting is a nullable join
        .select_related("strategic_plan__trust", "academic_year", "board_meeting")
        .get(pk=review.pk)
    )
    if review.status != MspReviewStatus.DRAFT:
        raise ValidationError(
            f"This review was presented to the board at '{review.board_meeting}' on "
            f"{review.presented_at:%d/%m/%Y}; it is on record and no longer changes."
        )
    return review


@transaction.atomic
def msp_year_review_update(
    *, actor, review: MspYearReview, entries: dict, conclusions: str, actor_label=None
) -> MspYearReview:
    """Write each trust priority's outcome and impact statement ({priority pk: {"outcome",
    "impact"}}) and the conclusions. A draft may be saved part-written."""
    require(
        rules.may_edit_strategic_plan(actor, review.strategic_plan.trust_id),
        rules.MSP_REVIEW_REFUSED,
    )
    review = _locked(review)
    own = set(review.strategic_plan.priorities.values_list("pk", flat=True))
    if any(int(pk) not in own for pk in entries):
        raise ValidationError("An entry names a priority of another strategic plan.")
    cleaned = {}
    for pk, entry in entries.items():
        texts = {k: (entry.get(k) or "").strip() for k in ("outcome", "impact")}
        if any(texts.values()):
            cleaned[str(pk)] = texts
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        entries=cleaned,
        conclusions=(conclusions or "").strip(),
    )


def _require_board_meeting(meeting, trust_id: int, year_end: datetime.date) -> None:
    if meeting is None:
        raise ValidationError({"meeting": "Choose the trust board meeting it was presented to."})
    if meeting.body.trust_id != trust_id or meeting.body.kind != BOARD_KIND:
        raise ValidationError({"meeting": f"'{meeting}' is not a meeting of this trust's board."})
    if meeting.status != HELD or meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"meeting": f"'{meeting}' has not been held yet; record it once the meeting is held."}
        )
    if meeting.held_on <= year_end:
        raise ValidationError(
            {
                "meeting": f"'{meeting}' was held before the year under review ended "
                f"({year_end:%d/%m/%Y}); choose a board meeting held since."
            }
        )


@transaction.atomic
def msp_year_review_present(
    *, actor, review: MspYearReview, meeting, actor_label=None
) -> MspYearReview:
    """Record that the review was presented to the trust board at `meeting` (held, after the
    reviewed year ended). Every trust priority needs its outcome and an impact statement, and
    the review its conclusions. Presented once; then it is on record."""
    plan = review.strategic_plan
    require(rules.may_edit_strategic_plan(actor, plan.trust_id), rules.MSP_REVIEW_REFUSED)
    review = _locked(review)
    errors: dict[str, list[str]] = {}
    for p in review.strategic_plan.priorities.order_by("number"):
        entry = review.entry(p.pk)
        if not entry.get("outcome"):
            errors.setdefault("entries", []).append(
                f"Write {p.code}'s outcome against its success indicators."
            )
        if not entry.get("impact"):
            errors.setdefault("entries", []).append(f"Write {p.code}'s impact statement.")
    if not review.conclusions:
        errors["conclusions"] = ["Write the review's conclusions."]
    if errors:
        raise ValidationError(errors)
    year_end = datetime.date(review.academic_year.start_year + 1, 8, 31)
    _require_board_meeting(meeting, plan.trust_id, year_end)
    review = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        action=AuditAction.PRESENT_TO_BOARD,
        status=MspReviewStatus.PRESENTED,
        presented_at=timezone.now(),
        presented_by=actor,
        board_meeting=meeting,
    )
    steps.step_done(
        trust=review.strategic_plan.trust,
        event=steps.MSP_YEAR_REVIEW_PRESENTED,
        actor=actor,
        actor_label=actor_label,
    )
    return review
