"""Read side of the year-end and mid-year reviews: the review as a report (each priority's
success criteria with baseline, target and what the data says; its termly RAG history; the
impact statement; statutory results against national), and the mid-year conclusions that feed
next year's strategic plan draft. Callers have checked plan.view. Also the trust's year-end
review of its strategic plan as a report, and its presented conclusions as draft inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustwide.access import Perm, restrict

from . import hooks
from .models import (
    MspRating,
    MspReviewStatus,
    MspYearReview,
    PlanReview,
    Priority,
    Rag,
    RagRating,
    RatedKind,
    ReviewKind,
    ReviewStatus,
    SchoolPlan,
    TrustPriority,
)


@dataclass
class PriorityOutcome:
    priority: Priority
    criteria: list  # [(criterion, DataStatus | None)]
    rag_history: list  # [(term label, rating label)]
    impact: str


@dataclass
class ReviewReport:
    review: PlanReview
    outcomes: list[PriorityOutcome]
    results: list = field(default_factory=list)  # [hooks.ResultLine]
    evidence: list = field(default_factory=list)  # [(heading, text)]


def review_report(review: PlanReview) -> ReviewReport:
    plan = review.plan
    priorities = list(plan.priorities.prefetch_related("criteria").order_by("number"))
    criteria = [c for p in priorities for c in p.criteria.all()]
    # Only KPI-bound criteria have data (as on the plan page); the rest read "Not bound to a KPI".
    bound = [c for c in criteria if c.kpi_code]
    statuses = hooks.criterion_data_statuses(plan, bound) if bound else {}
    history: dict[int, list] = {}
    for r in (
        RagRating.objects.filter(plan=plan, kind=RatedKind.PRIORITY)
        .select_related("term")
        .order_by("term__starts_on")
    ):
        history.setdefault(r.priority_id, []).append((r.term.name, r.get_rating_display()))
    outcomes = [
        PriorityOutcome(
            priority=p,
            criteria=[(c, statuses.get(c.pk)) for c in p.criteria.all()],
            rag_history=history.get(p.pk, []),
            impact=review.impacts.get(str(p.pk), ""),
        )
        for p in priorities
    ]
    start_year = plan.academic_year.start_year
    report = ReviewReport(review=review, outcomes=outcomes)
    if review.kind == ReviewKind.YEAR_END:
        report.results = hooks.review_results(plan.school, start_year)
    else:
        report.evidence = hooks.review_evidence(plan.school, start_year)
    return report


def school_reviews(school) -> list[tuple[SchoolPlan, PlanReview | None, PlanReview | None]]:
    """The school's plans, newest first, each with its mid-year and year-end review (or None)."""
    plans = list(
        SchoolPlan.objects.filter(school=school)
        .select_related("academic_year")
        .order_by("-academic_year__start_year", "kind")
    )
    by_plan: dict[int, dict] = {p.pk: {} for p in plans}
    for review in PlanReview.objects.filter(plan__in=plans):
        by_plan[review.plan_id][review.kind] = review
    return [
        (p, by_plan[p.pk].get(ReviewKind.MID_YEAR), by_plan[p.pk].get(ReviewKind.YEAR_END))
        for p in plans
    ]


def mid_year_inputs(user, trust_id: int, start_year: int) -> list[PlanReview]:
    """Submitted mid-year reviews of the trust's school plans in an academic year, those of
    plans the user may read: their conclusions are the inputs of the next strategic plan draft
    (a draft review is not)."""
    return list(
        restrict(PlanReview.objects.all(), user, Perm.PLAN_VIEW)
        .filter(
            kind=ReviewKind.MID_YEAR,
            status__in=[ReviewStatus.SUBMITTED, ReviewStatus.SCRUTINISED],
            plan__school__trust_id=trust_id,
            plan__academic_year__start_year=start_year,
        )
        .select_related("plan__school")
        .order_by("plan__school__name", "plan__kind")
    )


def awaiting_scrutiny(school_id: int) -> list[PlanReview]:
    """The school's year-end reviews sent to governors and not yet scrutinised."""
    return list(
        PlanReview.objects.filter(
            kind=ReviewKind.YEAR_END,
            status=ReviewStatus.SUBMITTED,
            plan__school_id=school_id,
        )
        .select_related("plan__academic_year")
        .order_by("plan__kind")
    )


# --------------------------------------------------------------------------- the MSP's year


@dataclass
class MspPriorityOutcome:
    priority: TrustPriority
    indicators: list  # [(indicator, last rating label of the year or "")]
    rag_history: list  # [(term name, rating label)]
    outcome: str
    impact: str


def msp_year_review_report(user, review: MspYearReview) -> dict:
    """The review as a report: per trust priority, its success indicators with the last rating
    they had in the year, its termly RAG through the year, the outcome and impact written; the
    trust's statutory results and attendance of the year against national, trust-wide and per
    school as far as the user may see them (hooks.trust_results); and the schools' year-end
    reviews of that year (their exams analysis) the user may read."""
    priorities = list(
        review.strategic_plan.priorities.prefetch_related("indicators").order_by("number")
    )
    ratings: dict[int, list[MspRating]] = {}
    for r in (
        MspRating.objects.filter(
            trust_priority__strategic_plan=review.strategic_plan,
            term__academic_year=review.academic_year,
        )
        .select_related("term")
        .order_by("term__starts_on")
    ):
        ratings.setdefault(r.trust_priority_id, []).append(r)
    rag_labels = dict(Rag.choices)
    outcomes = []
    for p in priorities:
        own = ratings.get(p.pk, [])
        last_indicator: dict[str, str] = {}
        for r in own:
            last_indicator.update({k: v for k, v in r.indicator_ratings.items() if v})
        entry = review.entry(p.pk)
        outcomes.append(
            MspPriorityOutcome(
                priority=p,
                indicators=[
                    (i, rag_labels.get(last_indicator.get(str(i.pk), ""), ""))
                    for i in p.indicators.all()
                ],
                rag_history=[(r.term.name, r.get_rating_display()) for r in own],
                outcome=entry.get("outcome", ""),
                impact=entry.get("impact", ""),
            )
        )
    school_reviews = list(
        restrict(PlanReview.objects.all(), user, Perm.PLAN_VIEW)
        .filter(
            kind=ReviewKind.YEAR_END,
            plan__school__trust_id=review.strategic_plan.trust_id,
            plan__academic_year__start_year=review.academic_year.start_year,
        )
        .select_related("plan__school")
        .order_by("plan__school__name", "plan__kind")
    )
    results = hooks.trust_results(
        user, review.strategic_plan.trust, review.academic_year.start_year
    )
    return {"outcomes": outcomes, "results": results, "school_reviews": school_reviews}


def msp_year_inputs(trust_id: int, start_year: int) -> list[MspYearReview]:
    """Year-end reviews of the strategic plan presented to the board, of the year before
    `start_year`: their conclusions are inputs of the drafts issued in `start_year` (October's
    review of last year before April's draft). Callers have checked strategic_plan.view."""
    return list(
        MspYearReview.objects.filter(
            strategic_plan__trust_id=trust_id,
            status=MspReviewStatus.PRESENTED,
            academic_year__start_year=start_year - 1,
        ).select_related("academic_year", "board_meeting")
    )
