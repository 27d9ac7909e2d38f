"""Reads for planning pages and for other apps (KPIs). Each starts from access.restrict."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from trustwide.access import Perm, restrict
from trustwide.trusts.models import School, Term

from . import rag
from .models import (
    OPEN_ACTION_STATUSES,
    Action,
    Milestone,
    MonitoringActivity,
    MonitoringRecord,
    PlanKind,
    PocketGuide,
    PocketGuideItem,
    Priority,
    RagRating,
    RatedKind,
    SchoolPlan,
    StaffObjective,
    StrategicPlan,
    SuccessCriterion,
    TrustPriority,
)
from .smart import priority_problems, success_criterion_problems

# Strategic plan and pocket guide -------------------------------------------------------------


def strategic_plans_for(*, user, trust) -> QuerySet:
    return restrict(StrategicPlan.objects.filter(trust=trust), user, Perm.STRATEGIC_PLAN_VIEW)


def current_strategic_plan(*, user, trust) -> StrategicPlan | None:
    return (
        strategic_plans_for(user=user, trust=trust)
        .prefetch_related(
            Prefetch("priorities", queryset=TrustPriority.objects.prefetch_related("indicators"))
        )
        .first()
    )


def pocket_guide_for(*, trust, academic_year) -> PocketGuide | None:
    return (
        PocketGuide.objects.filter(strategic_plan__trust=trust, academic_year=academic_year)
        .select_related("academic_year", "strategic_plan")
        .prefetch_related(
            Prefetch("items", queryset=PocketGuideItem.objects.select_related("priority"))
        )
        .first()
    )


def pocket_guide_groups(guide: PocketGuide | None) -> list[tuple[str, list[PocketGuideItem]]]:
    """Items grouped by theme, in priority order, as the one-page guide shows them."""
    groups: dict[str, list] = {}
    if guide is None:
        return []
    for item in guide.items.all():
        groups.setdefault(item.priority.theme, []).append(item)
    return list(groups.items())


# School plans --------------------------------------------------------------------------------


def plans_for(*, user, perm: str = Perm.PLAN_VIEW) -> QuerySet:
    return restrict(SchoolPlan.objects.all(), user, perm).select_related("school", "academic_year")


def plan_with_contents(*, user, pk: int, perm: str = Perm.PLAN_VIEW) -> SchoolPlan:
    """One plan with everything its page shows, in a fixed number of queries."""
    from trustwide.access import get_object_or_404_for

    queryset = SchoolPlan.objects.select_related(
        "school__trust",
        "school__hub",
        "academic_year",
        "agreed_by",
        "smart_override_by",
        "submitted_by",
    ).prefetch_related(
        Prefetch("academic_year__terms", queryset=Term.objects.order_by("number")),
        Prefetch(
            "priorities",
            queryset=Priority.objects.select_related("lead").prefetch_related(
                "trust_priorities",
                Prefetch(
                    "actions",
                    queryset=Action.objects.select_related("owner").order_by("due_on", "pk"),
                ),
                Prefetch("criteria", queryset=SuccessCriterion.objects.select_related("owner")),
                Prefetch("milestones", queryset=Milestone.objects.select_related("term")),
            ),
        ),
    )
    return get_object_or_404_for(user, perm, queryset, pk=pk)


@dataclass
class CriterionView:
    criterion: SuccessCriterion
    problems: list


def plan_returns(plan: SchoolPlan) -> list:
    """Every return of the plan (by governors or the trust), oldest first."""
    return list(plan.returns.select_related("returned_by").order_by("returned_at", "pk"))


def priorities_without_criteria(priorities) -> list:
    """Priorities the SMART check refuses outright: no success criterion at all."""
    return [p for p in priorities if priority_problems(p)]


def guide_publications(*, trust, academic_year, school=None) -> dict:
    """This year's publications of the trust's guide (key 'msp') or of a school's ('sip', 'bdp')."""
    from .models import GuidePublication

    rows = GuidePublication.objects.filter(trust=trust, academic_year=academic_year, school=school)
    return {p.kind: p for p in rows}


def board_meetings_in_trust(trust_id: int):
    """The trust board's meetings, newest first, for recording its agreement or approval.
    (governance imports planning, so its model is looked up by name.)"""
    from django.apps import apps

    meeting = apps.get_model("governance", "Meeting")
    return meeting.objects.filter(body__trust_id=trust_id, body__kind="board").order_by("-held_on")


def board_meetings_for(plan: SchoolPlan):
    return board_meetings_in_trust(plan.school.trust_id)


def smart_report(plan: SchoolPlan) -> dict[int, list]:
    """Criterion id -> SMART problems, from the prefetched criteria."""
    return {
        c.pk: success_criterion_problems(c) for p in plan.priorities.all() for c in p.criteria.all()
    }


def ratings_by_subject(plan: SchoolPlan) -> dict[tuple[str, int], dict[int, RagRating]]:
    """(kind, subject id) -> {term id: rating} for the plan, in one query."""
    table: dict = defaultdict(dict)
    for r in RagRating.objects.filter(plan=plan).select_related("rated_by"):
        table[(r.kind, r.subject_id)][r.term_id] = r
    return table


@dataclass
class CostLine:
    budget_line: str
    planned: Decimal = Decimal("0")
    spent: Decimal = Decimal("0")
    actions: int = 0

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent


def plan_costs(plan: SchoolPlan) -> tuple[list[CostLine], CostLine]:
    """Planned and spent by budget line, from the prefetched actions."""
    lines: dict[str, CostLine] = {}
    total = CostLine("Total")
    for priority in plan.priorities.all():
        for action in priority.actions.all():
            name = action.budget_line or "No budget line"
            line = lines.setdefault(name, CostLine(name))
            for target in (line, total):
                target.planned += action.cost
                target.spent += action.spent
                target.actions += 1
    return sorted(lines.values(), key=lambda line: line.budget_line.lower()), total


def activities_for_plan(plan: SchoolPlan) -> list[MonitoringActivity]:
    return list(
        MonitoringActivity.objects.filter(plan=plan)
        .select_related("term", "lead", "priority")
        .prefetch_related(
            Prefetch("records", queryset=MonitoringRecord.objects.select_related("recorded_by"))
        )
        .order_by("term__number", "planned_on", "pk")
    )


def activity_is_overdue(activity: MonitoringActivity, today: datetime.date) -> bool:
    """Due date passed and nothing recorded (uses prefetched records)."""
    return not activity.cancelled and activity.due_by < today and not list(activity.records.all())


def objectives_for_plan(plan: SchoolPlan) -> list[StaffObjective]:
    return list(
        StaffObjective.objects.filter(priority__plan=plan).select_related(
            "user", "priority", "criterion"
        )
    )


# Roll-up ------------------------------------------------------------------------------------


@dataclass
class RollupRow:
    label: str
    school: School | None = None
    hub_id: int | None = None
    priorities: dict = field(default_factory=lambda: rag.counts([]))
    items: dict = field(default_factory=lambda: rag.counts([]))
    previous_items: dict = field(default_factory=lambda: rag.counts([]))
    previous_priorities: dict = field(default_factory=lambda: rag.counts([]))
    overdue_actions: int = 0
    plans: int = 0

    @property
    def item_change(self) -> dict:
        return rag.change(self.previous_items, self.items)

    @property
    def priority_change(self) -> dict:
        return rag.change(self.previous_priorities, self.priorities)

    @property
    def needs_attention(self) -> bool:
        """A red or amber priority, action or success criterion."""
        return any(c["red"] or c["amber"] for c in (self.priorities, self.items))

    def add(self, other: RollupRow) -> None:
        for name in ("priorities", "items", "previous_items", "previous_priorities"):
            setattr(self, name, rag.add_counts(getattr(self, name), getattr(other, name)))
        self.overdue_actions += other.overdue_actions
        self.plans += other.plans


def previous_term(term: Term) -> Term | None:
    return (
        Term.objects.filter(academic_year__trust_id=term.academic_year.trust_id)
        .filter(
            academic_year__start_year__lte=term.academic_year.start_year,
        )
        .exclude(pk=term.pk)
        .select_related("academic_year")
        .order_by("-academic_year__start_year", "-number")
        .filter(ends_on__lt=term.starts_on)
        .first()
    )


def _counts_by_school(term: Term, school_ids: set[int]) -> tuple[dict, dict]:
    """school id -> counts of priority ratings, and of action + criterion ratings, for a term."""
    from django.db.models import Count

    priorities: dict = defaultdict(lambda: rag.counts([]))
    items: dict = defaultdict(lambda: rag.counts([]))
    rows = (
        RagRating.objects.filter(term=term, plan__school_id__in=school_ids)
        .values("plan__school_id", "kind", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        target = priorities if row["kind"] == RatedKind.PRIORITY else items
        target[row["plan__school_id"]][row["rating"]] += row["n"]
    return priorities, items


def rollup(
    *, user, trust, term: Term, kind: str | None = None
) -> tuple[list[RollupRow], RollupRow, Term | None]:
    """RAG counts per school for a term, with hub subtotals and the trust total, the change
    since the previous term and the number of overdue actions. A fixed number of queries."""
    from django.db.models import Count

    schools = list(
        # Schools in the trust at any time during the term (joined or left mid-term included).
        restrict(
            School.objects.filter(trust=trust).open_between(term.starts_on, term.ends_on),
            user,
            Perm.PLAN_VIEW,
        )
        .select_related("hub")
        .order_by("hub__name", "name")
    )
    ids = {s.pk for s in schools}
    before = previous_term(term)
    prio_now, items_now = _counts_by_school(term, ids)
    prio_before, items_before = _counts_by_school(before, ids) if before else ({}, {})
    today = timezone.localdate()
    on = rag.review_date(term.ends_on, today)
    plan_filter = {"academic_year_id": term.academic_year_id, "school_id__in": ids}
    if kind:
        plan_filter["kind"] = kind
    overdue = dict(
        Action.objects.filter(
            priority__plan__academic_year_id=term.academic_year_id,
            priority__plan__school_id__in=ids,
            due_on__lt=on,
            status__in=OPEN_ACTION_STATUSES,
        )
        .values_list("priority__plan__school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    plan_counts = dict(
        SchoolPlan.objects.filter(**plan_filter)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows: list[RollupRow] = []
    hubs: dict = {}
    total = RollupRow("Trust total")
    for school in schools:
        row = RollupRow(
            school.name,
            school=school,
            hub_id=school.hub_id,
            priorities=prio_now.get(school.pk, rag.counts([])),
            items=items_now.get(school.pk, rag.counts([])),
            previous_priorities=prio_before.get(school.pk, rag.counts([])),
            previous_items=items_before.get(school.pk, rag.counts([])),
            overdue_actions=overdue.get(school.pk, 0),
            plans=plan_counts.get(school.pk, 0),
        )
        hub_label = school.hub.name if school.hub else "No hub"
        hubs.setdefault(hub_label, RollupRow(f"{hub_label} hub" if school.hub else hub_label)).add(
            row
        )
        rows.append(row)
        total.add(row)
    grouped = []
    for hub_label, hub_row in hubs.items():
        grouped.append(("hub", hub_row))
        grouped.extend(
            ("school", r)
            for r in rows
            if (r.school.hub.name if r.school.hub else "No hub") == hub_label
        )
    return grouped, total, before


def rollup_schools(grouped, *, attention_only: bool = False) -> list[RollupRow]:
    """The school rows of `rollup()` in hub order (the rows a page of the roll-up is cut from)."""
    return [
        r for level, r in grouped if level == "school" and (r.needs_attention or not attention_only)
    ]


def with_hub_rows(grouped, shown: list[RollupRow]) -> list[tuple[str, RollupRow]]:
    """The school rows `shown` (a page), each hub's subtotal row before its first school."""
    hub_of, hub = {}, None
    for level, row in grouped:
        if level == "hub":
            hub = row
        else:
            hub_of[id(row)] = hub
    out, last = [], None
    for row in shown:
        if hub_of[id(row)] is not last:
            last = hub_of[id(row)]
            out.append(("hub", last))
        out.append(("school", row))
    return out


def overdue_actions_for(*, user, trust, academic_year, limit: int = 50) -> list[Action]:
    today = timezone.localdate()
    return list(
        restrict(Action.objects.all(), user, Perm.PLAN_VIEW)
        .filter(
            priority__plan__school__trust=trust,
            priority__plan__academic_year=academic_year,
            due_on__lt=today,
            status__in=OPEN_ACTION_STATUSES,
        )
        .select_related("owner", "priority__plan__school")
        .order_by("due_on")[:limit]
    )


# For the KPI engine ---------------------------------------------------------------------------


def teaching_judgements(
    *, trust_id: int, start: datetime.date, end: datetime.date
) -> list[tuple[int, int | None, datetime.date, bool]]:
    """Lesson observation judgements in the period: (school URN, hub id, date, good or better).
    The caller (the KPI engine, a trusted backend job) scopes the output itself."""
    return [
        (urn, hub_id, day, bool(good))
        for urn, hub_id, day, good in MonitoringRecord.objects.filter(
            activity__plan__school__trust_id=trust_id,
            activity__kind="lesson_observation",
            carried_out_on__gte=start,
            carried_out_on__lte=end,
            good_or_better__isnull=False,
        )
        .order_by("carried_out_on", "pk")
        .values_list(
            "activity__plan__school__urn",
            "activity__plan__school__hub_id",
            "carried_out_on",
            "good_or_better",
        )
    ]


def school_kind_label(kind: str) -> str:
    return "SIP" if kind == PlanKind.SIP else "BDP"


# The strategic plan's termly RAG ------------------------------------------------------------


@dataclass
class MspRagCell:
    """One trust priority in one term: the stored rating, the previous term's, and the evidence
    the viewer may see (drivers at schools outside their view are only counted)."""

    priority: TrustPriority
    term: Term
    rating: object = None  # MspRating | None
    previous: object = None  # MspRating of the term before | None
    drivers: list = field(default_factory=list)
    hidden_drivers: int = 0

    @property
    def change(self) -> str:
        """'improved', 'declined', 'same', 'new' (first rating) or '' (not rated)."""
        if self.rating is None:
            return ""
        if self.previous is None:
            return "new"
        now, before = rag.ORDER[self.rating.rating], rag.ORDER[self.previous.rating]
        return "improved" if now > before else "declined" if now < before else "same"

    @property
    def set_centrally(self) -> bool:
        """Red or amber with no school priority red or amber behind it."""
        return bool(
            self.rating
            and self.rating.rating in (rag.RED, rag.AMBER)
            and not self.rating.evidence.get("drivers")
        )

    @property
    def change_label(self) -> str:
        before = self.previous.get_rating_display().lower() if self.previous else ""
        return {
            "improved": f"Improved from {before}",
            "declined": f"Declined from {before}",
            "same": "No change",
            "new": "First rating",
        }.get(self.change, "Not rated")


def _msp_cells(user, priorities, terms: list[Term], before: Term | None) -> dict:
    """(priority id, term id) -> MspRagCell, from one query of ratings (and one for the viewer's
    schools)."""
    from trustwide.access.scope import school_ids

    from .models import MspRating

    wanted = [t.pk for t in terms] + ([before.pk] if before else [])
    stored = {
        (r.trust_priority_id, r.term_id): r
        for r in MspRating.objects.filter(
            trust_priority__in=[p.pk for p in priorities], term_id__in=wanted
        ).select_related("rated_by")
    }
    visible = school_ids(user, Perm.PLAN_VIEW) if stored else set()
    cells = {}
    for p in priorities:
        previous_term = before
        for term in terms:
            rating = stored.get((p.pk, term.pk))
            previous = stored.get((p.pk, previous_term.pk)) if previous_term else None
            drivers = (rating.evidence.get("drivers", []) if rating else []) or []
            shown = [d for d in drivers if d.get("school_id") in visible]
            cells[(p.pk, term.pk)] = MspRagCell(
                p, term, rating, previous, shown, len(drivers) - len(shown)
            )
            previous_term = term
    return cells


def msp_rag_grid(*, user, strategic_plan, academic_year) -> tuple[list[Term], dict]:
    """The year's terms and, per priority id, a cell per term: the stored rating with its change and
    evidence: the strategic plan page. A fixed number of queries."""
    terms = list(
        Term.objects.filter(academic_year=academic_year)
        .select_related("academic_year")
        .order_by("number")
    )
    if not terms:
        return [], {}
    before = previous_term(terms[0])
    priorities = list(strategic_plan.priorities.all())
    cells = _msp_cells(user, priorities, terms, before)
    return terms, {p.pk: [cells[(p.pk, t.pk)] for t in terms] for p in priorities}


def msp_rag_for_term(*, user, trust, term: Term | None) -> list[MspRagCell]:
    """Each priority of the trust's strategic plan rated for one term (board report, board
    agenda): rating, change since the previous term, drivers of a red or amber."""
    if term is None:
        return []
    plan = strategic_plans_for(user=user, trust=trust).first()
    if plan is None:
        return []
    priorities = list(plan.priorities.all())
    cells = _msp_cells(user, priorities, [term], previous_term(term))
    return [cells[(p.pk, term.pk)] for p in priorities]
