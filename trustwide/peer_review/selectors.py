"""Reads for peer review and support pages, starting from the user's scoped querysets."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from trustwide.access import Perm, restrict, school_ids
from trustwide.trusts import utils as academic
from trustwide.trusts.inspections import read_inspection
from trustwide.trusts.models import AcademicYear, School, Trust

from . import rota as rota_rules
from . import rules
from . import support as support_rules
from .models import (
    TERM_LABELS,
    CollaborationPlan,
    Deployment,
    Expertise,
    NonNegotiable,
    Review,
    ReviewAction,
    ReviewKind,
    ReviewStatus,
    SupportAssessment,
    Triad,
)


def trust_years(trust: Trust) -> list[AcademicYear]:
    return list(trust.academic_years.prefetch_related("terms").order_by("-start_year"))


def chosen_year(trust: Trust, start_year) -> AcademicYear | None:
    return academic.chosen_year(trust_years(trust), start_year)


def review_queryset() -> QuerySet:
    return Review.objects.select_related("school", "school__hub", "academic_year", "triad")


def reviews_for(*, user, trust: Trust, academic_year: AcademicYear | None = None) -> QuerySet:
    qs = restrict(review_queryset().filter(school__trust=trust), user, Perm.PEER_REVIEW_VIEW)
    if academic_year is not None:
        qs = qs.filter(academic_year=academic_year)
    return qs.prefetch_related("reviewers").order_by("term", "visit_on", "school__name")


def triads_for(*, user, trust: Trust, academic_year: AcademicYear) -> list[Triad]:
    """The year's triads that include a school the user may see (with all their schools)."""
    visible = school_ids(user, Perm.PEER_REVIEW_VIEW)
    triads = list(
        Triad.objects.filter(trust=trust, academic_year=academic_year).prefetch_related(
            Prefetch("schools", queryset=School.objects.select_related("hub").order_by("name"))
        )
    )
    return [t for t in triads if any(s.pk in visible for s in t.schools.all())]


@dataclass
class CalendarRow:
    triad: Triad
    cells: list[list[Review]]


def rota_calendar(triads: list[Triad], reviews: list[Review]) -> list[CalendarRow]:
    by_key = defaultdict(list)
    for r in reviews:
        if r.triad_id:
            by_key[(r.triad_id, r.term)].append(r)
    return [
        CalendarRow(t, [by_key[(t.pk, term)] for term in range(rota_rules.TERMS)]) for t in triads
    ]


def review_detail(*, user, pk: int) -> Review:
    from trustwide.access import get_object_or_404_for

    return get_object_or_404_for(
        user,
        Perm.PEER_REVIEW_VIEW,
        review_queryset()
        .select_related("school__trust", "agreed_by")
        .prefetch_related(
            "reviewers__from_school",
            "findings__validation",
            Prefetch(
                "actions",
                queryset=ReviewAction.objects.select_related(
                    "owner", "plan_action", "plan_action__priority__plan", "finding"
                ),
            ),
        ),
        pk=pk,
    )


def open_actions_by_school(
    *, user, trust: Trust, academic_year: AcademicYear | None
) -> list[tuple[School, int, int]]:
    """(school, open actions, overdue open actions) for the schools the user may see."""
    today = timezone.localdate()
    qs = restrict(
        ReviewAction.objects.filter(review__school__trust=trust), user, Perm.PEER_REVIEW_VIEW
    )
    if academic_year is not None:
        qs = qs.filter(review__academic_year=academic_year)
    counts: dict[int, list] = {}
    for a in qs.select_related("review__school", "plan_action"):
        if not a.is_open:
            continue
        row = counts.setdefault(a.review.school_id, [a.review.school, 0, 0])
        row[1] += 1
        if a.due_on < today:
            row[2] += 1
    # The schools needing attention first: most overdue, then most open.
    return sorted((tuple(v) for v in counts.values()), key=lambda r: (-r[2], -r[1], r[0].name))


# --------------------------------------------------------------------------- pre-visit pack


def pre_visit_pack(*, user, review: Review) -> dict:
    """Links to the reviewed school's SEF and plans, and its headline KPIs (what the user may read)."""
    from trustwide.evaluation import rules as evaluation_rules
    from trustwide.evaluation.models import SelfEvaluation
    from trustwide.kpis import rules as kpi_rules
    from trustwide.kpis.selectors import BIG_FIVE, school_readings
    from trustwide.planning import rules as planning_rules
    from trustwide.planning.models import SchoolPlan

    school = review.school
    pack = {"sef": None, "plans": [], "readings": []}
    if evaluation_rules.may_view_sef(user, school):
        pack["sef"] = SelfEvaluation.objects.filter(
            school=school, academic_year=review.academic_year
        ).first()
    if planning_rules.may_view_plans(user, school):
        pack["plans"] = list(
            SchoolPlan.objects.filter(school=school, academic_year=review.academic_year)
        )
    if kpi_rules.may_view_kpis(user, school):
        readings = school_readings(
            school=school,
            academic_year=review.academic_year.start_year,
            codes=BIG_FIVE,
            with_percentiles=False,
        )
        if not any(r.computed for r in readings):
            readings = school_readings(
                school=school,
                academic_year=review.academic_year.start_year - 1,
                codes=BIG_FIVE,
                with_percentiles=False,
            )
        pack["readings"] = readings
    return pack


def sef_area_choices(review: Review) -> list[tuple[str, str]]:
    from .services import review_sef

    sef = review_sef(review)
    if sef is None:
        return []
    from trustwide.evaluation.services import applicable_areas

    return [(a.code, a.name) for a in applicable_areas(sef.framework.spec, review.school)]


def grade_choices(review: Review) -> list[tuple[str, str]]:
    from .services import review_sef

    sef = review_sef(review)
    if sef is None:
        return []
    seen, out = set(), []
    for scale in sef.framework.spec.scales:
        for g in scale.grades:
            if g.code not in seen:
                seen.add(g.code)
                out.append((g.code, f"{g.label} ({scale.name})"))
    return out


def grade_labels(review: Review) -> dict[str, str]:
    return {code: label.split(" (")[0] for code, label in grade_choices(review)}


def plan_priority_choices(review: Review):
    from trustwide.planning.models import PlanStatus, Priority

    return (
        Priority.objects.filter(
            plan__school=review.school, plan__academic_year=review.academic_year
        )
        .exclude(plan__status=PlanStatus.EVALUATED)
        .select_related("plan")
        .order_by("plan__kind", "number")
    )


# --------------------------------------------------------------------------- support


def support_signals(*, trust: Trust) -> list[tuple[School, support_rules.Signals]]:
    """The four signals of the support rule for every school of the trust."""
    from trustwide.evaluation.accuracy import AccuracyInputError
    from trustwide.evaluation.models import AreaJudgement, SelfEvaluation
    from trustwide.evaluation.selectors import accuracy_by_scale, sef_pairs
    from trustwide.kpis.selectors import BIG_FIVE, school_readings
    from trustwide.planning.models import RagRating, RatedKind

    schools = list(
        School.objects.filter(trust=trust)
        .open_on(timezone.localdate())
        .prefetch_related("inspections")
        .order_by("name")
    )
    current = trust.academic_years.filter(is_current=True).first()
    sefs = {}
    for sef in (
        SelfEvaluation.objects.filter(school__trust=trust)
        .exclude(status="draft")
        .select_related("framework", "academic_year", "school")
        .prefetch_related(
            Prefetch("judgements", queryset=AreaJudgement.objects.prefetch_related("validations")),
            "school__inspections",
        )
        .order_by("-academic_year__start_year")
    ):
        sefs.setdefault(sef.school_id, sef)
    ratings = defaultdict(dict)
    rag_rows = (
        RagRating.objects.filter(
            plan__school__trust=trust, kind=RatedKind.PRIORITY, plan__kind="sip"
        )
        .values_list(
            "plan__school_id",
            "priority_id",
            "rating",
            "term__academic_year__start_year",
            "term__number",
        )
        .order_by("term__academic_year__start_year", "term__number")
    )
    latest_term = {}
    for school_id, priority_id, rating, year, number in rag_rows:
        latest_term[school_id] = (year, number)
        ratings[(school_id, year, number)][priority_id] = rating
    out = []
    for school in schools:
        red = green = rated = 0
        if current is not None:
            for year in (current.start_year, current.start_year - 1):
                readings = school_readings(
                    school=school, academic_year=year, codes=BIG_FIVE, with_percentiles=False
                )
                if any(r.national_rating for r in readings):
                    for r in readings:
                        if r.national_rating is not None:
                            rated += 1
                            red += r.national_rating.colour == "red"
                            green += r.national_rating.colour == "green"
                    break
        inspection = school.latest_inspection
        found = (
            support_rules.inspection_signals(inspection.framework, inspection.grades)
            if inspection
            else {}
        )
        pct, compared = None, 0
        sef = sefs.get(school.pk)
        if sef is not None:
            try:
                scales = accuracy_by_scale(sef.framework.spec, sef_pairs(sef))
            except AccuracyInputError:
                scales = []
            if scales:
                pct, compared = scales[0].accuracy.agreement_percent, scales[0].accuracy.compared
        plan_red = plan_rated = 0
        if school.pk in latest_term:
            year, number = latest_term[school.pk]
            values = list(ratings[(school.pk, year, number)].values())
            plan_rated, plan_red = len(values), values.count("red")
        out.append(
            (
                school,
                support_rules.Signals(
                    kpi_red=red,
                    kpi_green=green,
                    kpi_rated=rated,
                    sef_agreement_percent=pct,
                    **found,
                    sef_compared=compared,
                    plan_red=plan_red,
                    plan_rated=plan_rated,
                ),
            )
        )
    return out


def latest_assessments(*, user, trust: Trust) -> dict[int, SupportAssessment]:
    """The latest support category of each school the user may see."""
    latest: dict[int, SupportAssessment] = {}
    qs = restrict(SupportAssessment.objects.filter(school__trust=trust), user, Perm.SUPPORT_VIEW)
    for a in qs.select_related("school", "school__hub").order_by(
        "school_id", "-assessed_on", "-pk"
    ):
        latest.setdefault(a.school_id, a)
    return latest


def assessment_history(*, user, school: School) -> list[SupportAssessment]:
    return list(
        restrict(SupportAssessment.objects.filter(school=school), user, Perm.SUPPORT_VIEW)[:20]
    )


def non_negotiables_for(*, trust: Trust, category: str | None = None) -> list[NonNegotiable]:
    qs = NonNegotiable.objects.filter(trust=trust)
    if category:
        qs = qs.filter(category=category)
    return list(qs)


def school_non_negotiables(
    *, user, school: School
) -> tuple[SupportAssessment | None, list[NonNegotiable]]:
    if not rules.may_read_support(user, school):
        return None, []
    latest = restrict(
        SupportAssessment.objects.filter(school=school), user, Perm.SUPPORT_VIEW
    ).first()
    if latest is None:
        return None, []
    return latest, non_negotiables_for(trust=school.trust, category=latest.category)


# --------------------------------------------------------------------------- expertise and deployments


def deployments_for(
    *, user, trust: Trust, academic_year: AcademicYear | None = None
) -> list[Deployment]:
    """Deployments into or out of the schools the user may see."""
    visible = school_ids(user, Perm.SUPPORT_VIEW)
    qs = Deployment.objects.filter(to_school__trust=trust).select_related(
        "expertise__user", "from_school", "to_school", "academic_year"
    )
    if academic_year is not None:
        qs = qs.filter(academic_year=academic_year)
    if not rules.reads_all_support(user, trust.pk):
        from django.db.models import Q

        qs = qs.filter(Q(to_school_id__in=visible) | Q(from_school_id__in=visible))
    return list(qs)


def school_deployments(*, user, school: School) -> list[Deployment]:
    if not rules.may_read_support(user, school):
        return []
    from django.db.models import Q

    return list(
        Deployment.objects.filter(Q(to_school=school) | Q(from_school=school))
        .select_related("expertise__user", "from_school", "to_school", "academic_year")
        .order_by("-academic_year__start_year", "term")
    )


def expertise_register(*, trust: Trust) -> list[Expertise]:
    return list(Expertise.objects.filter(trust=trust).select_related("user", "home_school"))


def used_days(trust: Trust, academic_year: AcademicYear) -> dict[int, Decimal]:
    used: dict[int, Decimal] = defaultdict(Decimal)
    for expertise_id, days in Deployment.objects.filter(
        expertise__trust=trust, academic_year=academic_year
    ).values_list("expertise_id", "days"):
        used[expertise_id] += days
    return used


@dataclass
class Match:
    school: School
    category: str
    needs: list[str]
    candidates: list[tuple[Expertise, list[str], Decimal]] = field(default_factory=list)


_WORD = re.compile(r"[a-z]+")
_STOP = {
    "and",
    "the",
    "of",
    "for",
    "in",
    "to",
    "a",
    "an",
    "on",
    "with",
    "all",
    "our",
    "at",
    "by",
    "is",
    "be",
}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def match_expertise(*, trust: Trust, academic_year: AcademicYear, limit: int = 3) -> list[Match]:
    """For each school in a support category: its plan priorities and review focus areas, and
    the people whose expertise matches (from other schools, with days left this year)."""
    from trustwide.planning.models import Priority

    latest = {}
    for a in (
        SupportAssessment.objects.filter(school__trust=trust)
        .select_related("school")
        .order_by("school_id", "-assessed_on", "-pk")
    ):
        latest.setdefault(a.school_id, a)
    takers = [a for a in latest.values() if a.category != support_rules.UNIVERSAL]
    needs = defaultdict(list)
    for school_id, title in Priority.objects.filter(
        plan__school__trust=trust, plan__academic_year=academic_year, plan__kind="sip"
    ).values_list("plan__school_id", "title"):
        needs[school_id].append(title)
    for school_id, focus in Review.objects.filter(
        school__trust=trust, academic_year=academic_year
    ).values_list("school_id", "focus"):
        needs[school_id].append(focus)
    register = expertise_register(trust=trust)
    used = used_days(trust, academic_year)
    out = []
    for a in sorted(takers, key=lambda a: (-a.points, a.school.name)):
        school = a.school
        need_words = (
            set().union(*(_words(t) for t in needs[school.pk])) if needs[school.pk] else set()
        )
        if a.category == support_rules.INTENSIVE:
            need_words.add("leadership")
        need_words.add(school.phase)
        scored = []
        for e in register:
            if e.home_school_id == school.pk:
                continue
            left = e.days_per_term * rota_rules.TERMS - used.get(e.pk, Decimal(0))
            if left <= 0:
                continue
            words = set().union(*(_words(k) for k in e.keywords())) if e.keywords() else set()
            hits = sorted(need_words & words)
            if hits:
                scored.append((e, hits, left))
        scored.sort(key=lambda c: (-len(c[1]), -c[2], c[0].user.full_name))
        out.append(Match(school, a.category, needs[school.pk][:4], scored[:limit]))
    return out


def collaboration_plans_for(*, user, trust: Trust) -> list[CollaborationPlan]:
    visible = school_ids(user, Perm.SUPPORT_VIEW)
    plans = list(
        restrict(
            CollaborationPlan.objects.filter(trust=trust), user, Perm.SUPPORT_VIEW
        ).prefetch_related("schools")
    )
    if rules.reads_all_support(user, trust.pk):
        return plans
    return [p for p in plans if any(s.pk in visible for s in p.schools.all())]


def collaboration_plan_detail(*, user, pk: int) -> CollaborationPlan:
    """One plan, for those who see it in collaboration_plans_for (else 404, as if absent)."""
    from django.http import Http404

    from trustwide.access import get_object_or_404_for

    plan = get_object_or_404_for(
        user,
        Perm.SUPPORT_VIEW,
        CollaborationPlan.objects.select_related("trust").prefetch_related("schools"),
        pk=pk,
    )
    if not rules.reads_all_support(user, plan.trust_id) and not (
        school_ids(user, Perm.SUPPORT_VIEW) & {s.pk for s in plan.schools.all()}
    ):
        raise Http404("No collaboration plan found.")
    return plan


def review_counts(reviews: list[Review]) -> dict[str, int]:
    today = timezone.localdate()
    done = sum(1 for r in reviews if r.is_done)
    overdue = sum(1 for r in reviews if r.status == ReviewStatus.PLANNED and r.visit_on < today)
    due = sum(1 for r in reviews if r.status == ReviewStatus.PLANNED and r.visit_on >= today)
    return {"done": done, "overdue": overdue, "due": due, "total": len(reviews)}


def school_infos(trust, schools) -> list[rota_rules.SchoolInfo]:
    """Strength for balancing: the latest support points (fewer is stronger), else the inspection."""
    points = {}
    for a in SupportAssessment.objects.filter(school__trust=trust).order_by(
        "school_id", "-assessed_on", "-pk"
    ):
        points.setdefault(a.school_id, a.points)
    infos = []
    for s in schools:
        if s.pk in points:
            strength = -float(points[s.pk])
        else:
            reading = read_inspection(s.latest_inspection)
            strength = -((reading.strength if reading else None) or 2.5)
        infos.append(rota_rules.SchoolInfo(s.pk, s.hub_id, s.phase, strength, s.name))
    return infos


def last_year_groups(trust, year) -> list[list[int]]:
    if year is None:
        return []
    return [
        [s.pk for s in t.schools.all()]
        for t in Triad.objects.filter(
            trust=trust, academic_year__start_year=year.start_year - 1
        ).prefetch_related("schools")
    ]


def overview(*, user, trust, year) -> dict:
    """The per-school parts of the overview: rota calendar, reviews done and due, open review
    actions by school, givers and takers, deployments by school."""
    reviews = list(reviews_for(user=user, trust=trust, academic_year=year)) if year else []
    triads = triads_for(user=user, trust=trust, academic_year=year) if year else []
    latest = latest_assessments(user=user, trust=trust)
    givers = [a for a in latest.values() if a.capacity in (support_rules.GIVER, support_rules.BOTH)]
    takers = [a for a in latest.values() if a.capacity in (support_rules.TAKER, support_rules.BOTH)]
    deployments = deployments_for(user=user, trust=trust, academic_year=year)
    by_school: dict = {}
    for d in deployments:
        row = by_school.setdefault(
            d.to_school_id, {"school": d.to_school, "in_days": 0, "count": 0}
        )
        row["in_days"] += d.days
        row["count"] += 1
    return {
        "calendar": rota_calendar(triads, reviews),
        "terms": TERM_LABELS,
        "external": [r for r in reviews if r.kind == ReviewKind.EXTERNAL],
        "counts": review_counts(reviews),
        "open_actions": open_actions_by_school(user=user, trust=trust, academic_year=year),
        "givers": sorted(givers, key=lambda a: a.school.name),
        "takers": sorted(takers, key=lambda a: a.school.name),
        "hub_map": _hub_map(latest.values()),
        "deployments_by_school": sorted(by_school.values(), key=lambda r: r["school"].name),
    }


@dataclass
class HubCapacity:
    """One hub's schools on the capacity map, and how many need more than universal support."""

    hub: str
    rows: list
    intensive: int = 0
    targeted: int = 0


def _hub_map(assessments) -> list[HubCapacity]:
    """Givers and takers grouped by hub: the trust's map of where capacity is."""
    hubs: dict[str, HubCapacity] = {}
    for a in sorted(assessments, key=lambda a: a.school.name):
        name = a.school.hub.name if a.school.hub_id else "No hub"
        group = hubs.setdefault(name, HubCapacity(name, []))
        group.rows.append(a)
        group.intensive += a.category == support_rules.INTENSIVE
        group.targeted += a.category == support_rules.TARGETED
    return [hubs[name] for name in sorted(hubs)]
