"""The annual cycle's steps that are done in the product, and the one call that says so.

A line of the trust's annual cycle (governance CycleItem) may name one of these events; its
task then completes when the step is done where it is done (issuing an MSP draft, governors
agreeing a plan, ...), not by ticking. The services that perform a step call `step_done`; the
apps that keep cycles listen through the extension point `cycle_steps` (a module offering
`step_done(...)`), so planning never imports governance."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from .extensions import app_modules


@dataclass(frozen=True)
class Step:
    label: str  # what is done, e.g. "MSP draft issued for consultation"
    url_name: str  # the page where it is done
    at_school: bool | None  # done per school (True), for the trust (False), or either (None)
    page_by_school: bool = True  # the page takes the school (pk); otherwise the trust (slug)


MSP_DRAFT_ISSUED = "msp_draft_issued"
MSP_APPROVED = "msp_approved"
MSP_GUIDE_PUBLISHED = "msp_guide_published"
SIP_GUIDE_PUBLISHED = "sip_guide_published"
BDP_GUIDE_PUBLISHED = "bdp_guide_published"
PLAN_SUBMITTED = "plan_submitted"
PLAN_AGREED_BY_GOVERNORS = "plan_agreed_by_governors"
PLAN_SIGNED_OFF = "plan_signed_off"
PLAN_BOARD_AGREED = "plan_board_agreed"
TERMLY_RAG_DONE = "termly_rag_done"
MSP_RAG_DONE = "msp_rag_done"
LGC_REPORT_SUBMITTED = "lgc_report_submitted"
MEETING_PAPERS_FROZEN = "meeting_papers_frozen"
YEAR_END_REVIEW_SUBMITTED = "year_end_review_submitted"
YEAR_END_REVIEW_SCRUTINISED = "year_end_review_scrutinised"
MID_YEAR_REVIEW_SUBMITTED = "mid_year_review_submitted"
MSP_YEAR_REVIEW_PRESENTED = "msp_year_review_presented"
STAR_PROJECTS_EVALUATED = "star_projects_evaluated"

S, T = True, False
STEPS: dict[str, Step] = {
    MSP_DRAFT_ISSUED: Step("MSP draft issued for consultation", "planning:msp-versions", T, T),
    MSP_APPROVED: Step("MSP approved by the trust board", "planning:msp-versions", T, T),
    MSP_GUIDE_PUBLISHED: Step("Trust pocket guide published", "planning:pocket-guide", T, T),
    SIP_GUIDE_PUBLISHED: Step("School improvement pocket guide published", "planning:plan-list", S),
    BDP_GUIDE_PUBLISHED: Step("Business plan pocket guide published", "planning:plan-list", S),
    PLAN_SUBMITTED: Step("School plan submitted to governors", "planning:plan-list", S),
    PLAN_AGREED_BY_GOVERNORS: Step("School plan agreed by governors", "planning:plan-list", S),
    PLAN_SIGNED_OFF: Step("School plan signed off by the trust", "planning:plan-list", S),
    PLAN_BOARD_AGREED: Step("School plan agreed by the trust board", "planning:plan-list", S),
    TERMLY_RAG_DONE: Step("Termly RAG of the school plan saved", "planning:plan-list", S),
    MSP_RAG_DONE: Step("Termly RAG of the MSP saved", "planning:msp-termly-review", T, T),
    LGC_REPORT_SUBMITTED: Step("LGC report submitted to the board", "governance:trust", S, T),
    MEETING_PAPERS_FROZEN: Step("Meeting held, its papers frozen", "governance:trust", None, T),
    YEAR_END_REVIEW_SUBMITTED: Step("Year-end review sent to governors", "planning:reviews", S),
    YEAR_END_REVIEW_SCRUTINISED: Step(
        "Year-end review scrutinised by governors", "planning:reviews", S
    ),
    MID_YEAR_REVIEW_SUBMITTED: Step("Mid-year review submitted", "planning:reviews", S),
    MSP_YEAR_REVIEW_PRESENTED: Step(
        "Year-end review of the MSP presented to the board", "planning:msp-year-reviews", T, T
    ),
    STAR_PROJECTS_EVALUATED: Step("STAR projects evaluated", "star:school-projects", S),
}

EVENT_CHOICES = [(code, step.label) for code, step in STEPS.items()]


def page_url(event: str, trust, school=None) -> str:
    """The page where the step is done (for a per-school page without a school: '')."""
    step = STEPS.get(event)
    if step is None:
        return ""
    if step.page_by_school:
        return reverse(step.url_name, args=[school.pk]) if school is not None else ""
    return reverse(step.url_name, args=[trust.slug])


def scope_problem(event: str, per_school: bool) -> str:
    """Why a cycle line with this event cannot be per school (or for the trust), or ''."""
    step = STEPS[event]
    if step.at_school is None or step.at_school == per_school:
        return ""
    if step.at_school:
        return f"'{step.label}' is done by each school: make the line one task per school."
    return f"'{step.label}' is done once for the trust: make the line one task for the trust."


def step_done(
    *,
    trust,
    event: str,
    school=None,
    when: datetime.date | None = None,
    actor=None,
    actor_label=None,
) -> int:
    """Say that `event` happened for the trust (and school) on `when` (today if None). Called
    inside the service's transaction. Returns the number of cycle tasks completed."""
    if event not in STEPS:
        raise ValueError(f"Unknown cycle step {event!r}")
    when = when or timezone.localdate()
    return sum(
        module.step_done(
            trust=trust,
            school=school,
            event=event,
            when=when,
            actor=actor,
            actor_label=actor_label,
        )
        for module in app_modules("cycle_steps")
    )
