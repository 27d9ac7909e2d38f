"""Demo: the trust's schools-of-concern rule and the head's commentary for the current term
in the first schools, written through the services (actor=None, the demo's label)."""

from __future__ import annotations

from trustwide.trusts.utils import current_term

from . import services

SUMMARIES = [
    "Attendance has improved since autumn after first-day calling and the breakfast club; reading in Year 4 "
    "remains our main concern and is the focus of the spring deep dive.",
    "A strong term for writing; persistent absence among disadvantaged pupils is still too high and the "
    "attendance lead is working with the education welfare officer on the pupils concerned.",
]
CHALLENGES = [
    "How will we know by Easter whether the Year 4 reading intervention is working?",
    "What is the pupil premium being spent on this term, and what is its impact so far?",
]


def build(ctx) -> None:
    services.concern_rule_save(
        actor=None,
        actor_label=ctx.actor_label,
        trust=ctx.trust,
        min_red_kpis=2,
        min_red_priorities=1,
        min_overdue_actions=3,
        min_missing_datasets=2,
        late_after_days=35,
    )
    term = current_term(ctx.current_year.terms.all() if ctx.current_year else ())
    if term is None:
        return
    for school, summary, challenge in zip(ctx.schools, SUMMARIES, CHALLENGES, strict=False):
        services.commentary_save(
            actor=None,
            actor_label=ctx.actor_label,
            school=school,
            term=term,
            summary=summary,
            challenge=challenge,
        )
