"""The termly RAG of the trust strategic plan (MSP): what each trust priority's rating is derived
from, and the rule.

Inputs for a trust priority in a term:
  - every school plan priority of that academic year that cites it (Priority.trust_priorities):
    its own termly rating (derived or overridden by the school, as the school's review saved it);
    if the school has not rated the priority itself, the rating derived from its actions and
    success criteria that term; a success criterion bound to a KPI and not rated by the school
    counts from the data (met: green, not yet met: amber; no data: not counted);
  - the central team's own work: the rating trust leaders give its actions on the priority (the
    key strategies) and each success indicator.
Rule: the same worst-of rule as a school priority (planning/rag.py `derive`): red if any input is
red; otherwise amber if any is amber; blue when all are blue; otherwise green; nothing rated: no
rating. One red school priority therefore makes the trust priority red, and the red and amber
school priorities are listed with the rating as its evidence (the "drivers"), so the board sees
whether one school or many are behind it. Trust leaders may override the derived rating with a
reason, exactly as school leaders override a school priority's (`rag.override_problem`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

from . import hooks, rag
from .models import Priority, RagRating, RatedKind, SuccessCriterion

RULE = (
    "Each strategic plan priority's rating is derived, term by term, from the school priorities "
    "that cite it (their own rating, or else their actions and success criteria, KPI-bound ones "
    "from the data) and the central team's ratings of its actions and success indicators: red if "
    "any is red; otherwise amber if any is amber; blue when all are blue; otherwise green. "
    "A trust leader may override it with a reason."
)


@dataclass(frozen=True)
class SchoolInput:
    """One school priority citing a trust priority, with its rating for the term."""

    school_id: int
    school: str
    plan_id: int
    plan_kind: str
    priority_id: int
    number: int
    title: str
    rating: str | None
    source: str  # "rated", "from actions and criteria", "" (nothing rated)

    def as_json(self) -> dict:
        return asdict(self)


def drivers(inputs: list[SchoolInput]) -> list[SchoolInput]:
    """The school priorities rated red or amber, red first, then by school."""
    found = [i for i in inputs if i.rating in (rag.RED, rag.AMBER)]
    return sorted(found, key=lambda i: (rag.ORDER[i.rating], i.school, i.number))


def derive(inputs: list[SchoolInput], central: list[str | None]) -> str | None:
    return rag.derive([i.rating for i in inputs] + list(central))


def _kpi_ratings(priority_ids: set[int], rated_criteria: set[int]) -> dict[int, list[str]]:
    """Priority id -> ratings of its unrated KPI-bound criteria from the data (the KPI app's
    provider, one query per plan that has such criteria)."""
    criteria = list(
        SuccessCriterion.objects.filter(priority_id__in=priority_ids)
        .exclude(kpi_code="")
        .exclude(pk__in=rated_criteria)
        .select_related("priority__plan__academic_year")
    )
    by_plan: dict[int, list] = defaultdict(list)
    for c in criteria:
        by_plan[c.priority.plan_id].append(c)
    out: dict[int, list[str]] = defaultdict(list)
    for plan_criteria in by_plan.values():
        statuses = hooks.criterion_data_statuses(plan_criteria[0].priority.plan, plan_criteria)
        for c in plan_criteria:
            status = statuses.get(c.pk)
            if status is not None and status.met is not None:
                out[c.priority_id].append(rag.GREEN if status.met else rag.AMBER)
    return out


def school_inputs(strategic_plan, term) -> dict[int, list[SchoolInput]]:
    """Trust priority id -> the school priorities citing it in the term's academic year, with
    their ratings for the term. The whole trust (the rating is the trust's); pages filter the
    evidence to the viewer's schools. A bounded number of queries (plus one per plan with
    unrated KPI-bound criteria)."""
    through = Priority.trust_priorities.through
    links = list(
        through.objects.filter(
            trustpriority__strategic_plan=strategic_plan,
            priority__plan__academic_year_id=term.academic_year_id,
            priority__plan__school__trust_id=strategic_plan.trust_id,
        ).values_list(
            "trustpriority_id",
            "priority_id",
            "priority__number",
            "priority__title",
            "priority__plan_id",
            "priority__plan__kind",
            "priority__plan__school_id",
            "priority__plan__school__name",
        )
    )
    priority_ids = {row[1] for row in links}
    own: dict[int, str] = {}
    children: dict[int, list[str]] = defaultdict(list)
    rated_criteria: set[int] = set()
    for kind, rating, p_id, a_pid, c_pid, c_id in RagRating.objects.filter(
        term=term, plan_id__in={row[4] for row in links}
    ).values_list(
        "kind",
        "rating",
        "priority_id",
        "action__priority_id",
        "criterion__priority_id",
        "criterion_id",
    ):
        if kind == RatedKind.PRIORITY:
            own[p_id] = rating
        elif kind == RatedKind.ACTION:
            children[a_pid].append(rating)
        else:
            children[c_pid].append(rating)
            rated_criteria.add(c_id)
    unrated = {p for p in priority_ids if p not in own}
    from_data = _kpi_ratings(unrated, rated_criteria) if unrated else {}
    out: dict[int, list[SchoolInput]] = defaultdict(list)
    for tp_id, p_id, number, title, plan_id, kind, school_id, school in links:
        if p_id in own:
            rating, source = own[p_id], "rated"
        else:
            rating = rag.derive(children.get(p_id, []) + from_data.get(p_id, []))
            source = "from actions and criteria" if rating else ""
        out[tp_id].append(
            SchoolInput(school_id, school, plan_id, kind, p_id, number, title, rating, source)
        )
    for inputs in out.values():
        inputs.sort(key=lambda i: (i.school, i.plan_kind, i.number))
    return out


def evidence(inputs: list[SchoolInput], indicators: list[tuple[int, str, str | None]]) -> dict:
    """What is stored with the rating: the drivers, the counts of school ratings and the central
    indicators as they read that term."""
    return {
        "schools_citing": len({i.school_id for i in inputs}),
        "school_priorities": len(inputs),
        "counts": rag.counts(i.rating for i in inputs if i.rating),
        "drivers": [i.as_json() for i in drivers(inputs)],
        "indicators": [
            {"id": pk, "text": text, "rating": rating} for pk, text, rating in indicators if rating
        ],
    }
