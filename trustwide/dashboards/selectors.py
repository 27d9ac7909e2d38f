"""Reads for the dashboards and reports. Every figure comes from another app's selector: KPI
values and targets only through trustwide.kpis.selectors (never KpiValue directly), narrowed to
what the user may see, so the trust table and a school page show the same rows and agree."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.utils import timezone

from trustwide.access import Perm, hub_ids_at, restrict
from trustwide.data.models import ImportBatch, ImportStatus
from trustwide.data.selectors import roll_sizes
from trustwide.kpis import definitions as kd
from trustwide.kpis import selectors as kpi_selectors
from trustwide.kpis.groups import GROUP_LABELS
from trustwide.kpis.national import lookup
from trustwide.trusts import utils as academic
from trustwide.trusts.inspections import MONITORING_VISIT, read_inspection
from trustwide.trusts.models import AcademicYear, Hub, Inspection, School, Term, Trust

from . import rules
from .models import ConcernRule

BIG_FIVE = kpi_selectors.BIG_FIVE
STATUTORY = kpi_selectors.STATUTORY
HEADLINE = (*BIG_FIVE, *STATUTORY)
TERM_PERIODS = ("autumn", "spring", "summer")
GAP_GROUPS = ("disadvantaged_gap", "sen_gap")
# Groups compared with all pupils for "groups below others".
COMPARED_GROUPS = ("disadvantaged", "sen", "eal", "boys", "girls")


def current_term(year: AcademicYear | None, today: datetime.date | None = None) -> Term | None:
    """The year's term under way (see trusts.utils.current_term); None without a year."""
    return academic.current_term(year.terms.all(), today) if year is not None else None


def terms_of(trust: Trust) -> list[Term]:
    return list(
        Term.objects.filter(academic_year__trust=trust)
        .select_related("academic_year")
        .order_by("-academic_year__start_year", "-number")
    )


# --------------------------------------------------------------------------- who sees what


def visible_hubs(user, trust: Trust) -> list[Hub]:
    """The hub filter's choices: every hub for trust-level readers, else the user's own hubs."""
    hubs = Hub.objects.filter(trust=trust)
    if not rules.sees_every_hub(user, trust):
        hubs = hubs.filter(pk__in=hub_ids_at(user, Perm.KPI_VIEW))
    return list(hubs.order_by("name"))


# --------------------------------------------------------------------------- data completeness

# Datasets a school sends during the year; attendance arrives as marks or as summaries.
REQUIRED_DATASETS = (
    ("characteristics", ("characteristics",), "Pupils and characteristics"),
    ("attendance", ("attendance_marks", "attendance_summaries"), "Attendance"),
    ("assessments", ("assessments",), "Teacher assessments"),
)
# Sent once a year, after results and destinations are known: shown, never flagged.
YEAR_END_DATASETS = (
    ("statutory", ("statutory",), "Statutory results"),
    ("transitions", ("transitions",), "Transitions"),
)


@dataclass
class DatasetStatus:
    code: str
    label: str
    state: str  # ok | late | missing | partial | not_yet | not_due
    last: datetime.datetime | None = None
    detail: str = ""  # "152 of 340 pupils" for a partial roll

    @property
    def word(self) -> str:
        word = {
            "ok": "Imported",
            "late": "Late",
            "missing": "Missing",
            "partial": "Partial",
            "not_yet": "Not yet",
            "not_due": "Not due yet",
        }[self.state]
        return f"{word} ({self.detail})" if self.detail else word


@dataclass
class Completeness:
    statuses: list[DatasetStatus]

    @property
    def problems(self) -> list[DatasetStatus]:
        return [s for s in self.statuses if s.state in ("missing", "late", "partial")]

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def not_due(self) -> list[DatasetStatus]:
        return [s for s in self.statuses if s.state == "not_due"]


# A roll below this share of the school's number on roll (GIAS) is "partial", not complete.
PARTIAL_ROLL_SHARE = 0.9


def data_completeness(
    *,
    trust: Trust,
    schools: list[School],
    academic_year: int,
    late_after_days: int = 35,
    now: datetime.datetime | None = None,
) -> dict[int, Completeness]:
    """Per school: which datasets have a stored import for the academic year, and whether the
    latest is older than `late_after_days`. Teacher assessments are "not due yet" until the
    year's first term has ended; a roll short of the school's number on roll (GIAS) is
    "partial" ("152 of 340 pupils"). Three queries whatever the number of schools, plus the
    Parquet footers of the schools' rosters. Reads only import metadata and counts of schools
    the caller already scoped."""
    now = now or timezone.now()
    late_before = now - datetime.timedelta(days=late_after_days)
    ids = [s.pk for s in schools]
    by_urn = {s.urn: s.pk for s in schools}
    latest: dict[tuple[int, str], datetime.datetime] = {}
    stored = ImportBatch.objects.filter(
        trust=trust, academic_year=academic_year, status=ImportStatus.STORED
    )
    # One query: a school's own batches, and a trust data manager's multi-school batches
    # (school empty, URNs listed), each grouped to its latest date.
    rows = (
        stored.filter(Q(school_id__in=ids) | Q(school__isnull=True))
        .values("school_id", "school_urns", "dataset")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    for row in rows:
        targets = (
            [row["school_id"]]
            if row["school_id"]
            else [by_urn.get(int(u)) for u in row["school_urns"] or []]
        )
        for school_id in targets:
            key = (school_id, row["dataset"])
            if school_id is not None and (key not in latest or latest[key] < row["last"]):
                latest[key] = row["last"]
    first_term = (
        Term.objects.filter(academic_year__trust=trust, academic_year__start_year=academic_year)
        .order_by("starts_on")
        .first()
    )
    assessments_due = first_term is None or timezone.localdate(now) > first_term.ends_on
    with_roll = [s for s in schools if s.pupils_on_roll and (s.pk, "characteristics") in latest]
    rolls = (
        roll_sizes(trust_id=trust.pk, urns=[s.urn for s in with_roll], academic_year=academic_year)
        if with_roll
        else {}
    )
    out = {}
    for school in schools:
        statuses = []
        for code, datasets, label in REQUIRED_DATASETS + YEAR_END_DATASETS:
            dates = [latest[(school.pk, d)] for d in datasets if (school.pk, d) in latest]
            last = max(dates) if dates else None
            detail = ""
            if (code, datasets, label) in YEAR_END_DATASETS:
                state = "ok" if last else "not_yet"
            elif last is None and code == "assessments" and not assessments_due:
                state = "not_due"
            else:
                state = "missing" if last is None else ("late" if last < late_before else "ok")
            if code == "characteristics" and last is not None and school in with_roll:
                on_roll = rolls.get(school.urn, 0)
                if 0 < on_roll < PARTIAL_ROLL_SHARE * school.pupils_on_roll:
                    state = "partial"
                    detail = f"{on_roll:,} of {school.pupils_on_roll:,} pupils"
            statuses.append(DatasetStatus(code, label, state, last, detail))
        out[school.pk] = Completeness(statuses)
    return out


# --------------------------------------------------------------------------- trust dashboard


@dataclass
class TrustRow:
    school: School
    readings: dict
    completeness: Completeness | None

    @property
    def needs_attention(self) -> bool:
        """A red rating against its target or national on any KPI shown."""
        return any(
            rating is not None and rating.colour == "red"
            for r in self.readings.values()
            if r is not None
            for rating in (r.target_rating, r.national_rating)
        )


@dataclass
class TrustDashboard:
    trust: Trust
    year: int
    kpis: list
    rows: list[TrustRow]
    trust_readings: dict
    sort: str = "school"
    direction: str = "asc"
    late_after_days: int = 35
    attention: int = 0  # schools (of those filtered by hub and phase) needing attention
    attention_only: bool = False


def trust_codes(trust: Trust, academic_year: int) -> list[str]:
    """The big five, then any KPI the trust added by setting a trust-wide target for the year."""
    added = kpi_selectors.trust_target_codes(trust=trust, academic_year=academic_year) - set(
        BIG_FIVE
    )
    known = {k.code for k in kd.KPIS}
    return [*BIG_FIVE, *sorted(c for c in added if c in known)]


def concern_rule(trust: Trust) -> ConcernRule:
    """The trust's rule, or the defaults (unsaved) when it has not set one."""
    return ConcernRule.objects.filter(trust=trust).first() or ConcernRule(trust=trust)


def _sort_key(code: str):
    def key(row: TrustRow):
        if code == "school":
            return (0, row.school.name.lower())
        if code == "hub":
            return (
                0,
                (row.school.hub.name if row.school.hub else "~").lower(),
                row.school.name.lower(),
            )
        if code == "data":
            return (
                0,
                -len(row.completeness.problems) if row.completeness else 0,
                row.school.name.lower(),
            )
        reading = row.readings.get(code)
        value = reading.value if reading is not None else None
        return (1, 0) if value is None else (0, value)

    return key


def trust_dashboard(
    *,
    user,
    trust: Trust,
    academic_year: int,
    hub_id: int | None = None,
    phase: str | None = None,
    sort: str = "school",
    direction: str = "asc",
    rule: ConcernRule | None = None,
    attention_only: bool = False,
) -> TrustDashboard:
    """Every school row the user may see, sorted across all of them (a page shows a slice);
    `attention_only` keeps the rows needing attention (TrustRow.needs_attention)."""
    codes = trust_codes(trust, academic_year)
    rows, trust_readings = kpi_selectors.trust_school_table(
        user=user,
        trust=trust,
        academic_year=academic_year,
        codes=codes,
        hub_id=hub_id,
        phase=phase,
    )
    rule = rule or concern_rule(trust)
    completeness = data_completeness(
        trust=trust,
        schools=[r.school for r in rows],
        academic_year=academic_year,
        late_after_days=rule.late_after_days,
    )
    out = [TrustRow(r.school, r.readings, completeness.get(r.school.pk)) for r in rows]
    flagged = [r for r in out if r.needs_attention]
    if attention_only:
        out = flagged
    if sort not in ("school", "hub", "data", *codes):
        sort = "school"
    # Values sort so that "asc" lists the weakest first whichever way the KPI points.
    reverse = direction == "desc"
    out.sort(key=_sort_key(sort), reverse=reverse)
    if sort not in ("school", "hub", "data"):
        missing = [r for r in out if r.readings.get(sort) is None or r.readings[sort].value is None]
        out = [r for r in out if r not in missing] + missing
    return TrustDashboard(
        trust,
        academic_year,
        [kd.kpi_by_code(c) for c in codes],
        out,
        trust_readings,
        sort,
        direction,
        rule.late_after_days,
        len(flagged),
        attention_only,
    )


# --------------------------------------------------------------------------- school dashboard


@dataclass
class GapRow:
    kpi: kd.KPI
    gap: str
    label: str
    value: float | None
    pupils: int
    suppressed: bool
    computed: bool
    national: object = None

    @property
    def worse_than_national(self) -> bool | None:
        if self.value is None or self.national is None:
            return None
        return (
            (self.value < self.national.value)
            if self.kpi.better == "higher"
            else (self.value > self.national.value)
        )


@dataclass
class SchoolDashboard:
    school: School
    year: int
    period: str
    code: str
    readings: list
    groups: list
    gaps: list[GapRow]
    term_trend: dict  # code -> {year: [autumn, spring, summer]}
    year_trend: dict  # code -> {year: value}
    years: list[int] = field(default_factory=list)


def _benchmark_phase(school: School) -> str:
    return school.phase if school.phase in kpi_selectors.BENCHMARK_PHASES else "all"


def headline_readings(
    *,
    school: School,
    academic_year: int,
    period: str = "year",
    group: str = "all",
    with_percentiles: bool = True,
) -> list:
    """The big five always; statutory KPIs when the school has a value for them."""
    readings = kpi_selectors.school_readings(
        school=school,
        academic_year=academic_year,
        period=period,
        group=group,
        codes=HEADLINE,
        with_percentiles=with_percentiles,
    )
    return [r for r in readings if r.kpi.code in BIG_FIVE or r.computed]


def gap_rows(*, school: School, academic_year: int, period: str, codes) -> list[GapRow]:
    rows = kpi_selectors.school_values(
        school=school, academic_year=academic_year, period=period, groups=GAP_GROUPS, codes=codes
    )
    out = []
    for code in codes:
        kpi = kd.kpi_by_code(code)
        for gap in GAP_GROUPS:
            v = rows.get((code, gap))
            if v is None:
                continue
            national = (
                lookup(
                    measure=code,
                    academic_year=academic_year,
                    phase=_benchmark_phase(school),
                    group=gap,
                )
                if period in ("year", "ytd")
                else None
            )
            out.append(
                GapRow(kpi, gap, GROUP_LABELS[gap], v.value, v.pupils, v.suppressed, True, national)
            )
    return out


def school_trends(*, school: School, academic_year: int, codes) -> tuple[dict, dict, list[int]]:
    """Term values (this year and last) and full-year values (every year stored), group all."""
    term_trend: dict = defaultdict(dict)
    year_trend: dict = defaultdict(dict)
    years = set()
    for v in kpi_selectors.school_history(
        school=school, academic_year=academic_year, codes=codes, term_periods=TERM_PERIODS
    ):
        if v.period == "year":
            year_trend[v.kpi_code][v.academic_year] = v.value
            years.add(v.academic_year)
        else:
            term_trend[v.kpi_code].setdefault(v.academic_year, [None, None, None])[
                TERM_PERIODS.index(v.period)
            ] = v.value
    return dict(term_trend), dict(year_trend), sorted(years)


def school_dashboard(
    *, school: School, academic_year: int, period: str = "year", code: str = "overall_absence"
) -> SchoolDashboard:
    readings = headline_readings(school=school, academic_year=academic_year, period=period)
    codes = [r.kpi.code for r in readings]
    if code not in {k.code for k in kd.KPIS}:
        code = "overall_absence"
    groups = kpi_selectors.group_readings(
        school=school, academic_year=academic_year, period=period, code=code
    )
    # Gap rows have their own table (against the national gap); year groups only where present.
    groups = [
        (label, r)
        for label, r in groups
        if "gap" not in label.lower()
        and (r.computed or not label.startswith(("Year", "Reception")))
    ]
    term_trend, year_trend, years = school_trends(
        school=school, academic_year=academic_year, codes=codes
    )
    return SchoolDashboard(
        school,
        academic_year,
        period,
        code,
        readings,
        groups,
        gap_rows(school=school, academic_year=academic_year, period=period, codes=codes),
        term_trend,
        year_trend,
        years,
    )


def year_groups_of(school: School, academic_year: int) -> list[tuple[str, str]]:
    """(group code, label) of the year groups the school has values for."""
    found = kpi_selectors.school_year_groups(school=school, academic_year=academic_year)
    order = list(GROUP_LABELS)
    return [(g, GROUP_LABELS[g]) for g in sorted(found, key=order.index) if g in GROUP_LABELS]


# --------------------------------------------------------------------------- plan, SEF, concern


def plan_rollup(*, user, trust: Trust, term: Term | None):
    from trustwide.planning.selectors import rollup

    if term is None:
        return [], None, None
    return rollup(user=user, trust=trust, term=term)


def msp_rag(*, user, trust: Trust, term: Term | None):
    """The strategic plan's stored RAG per priority for the term (a fixed number of queries)."""
    from trustwide.planning.selectors import msp_rag_for_term

    return msp_rag_for_term(user=user, trust=trust, term=term)


def school_rollup_row(*, user, school: School, term: Term | None):
    grouped, _total, before = plan_rollup(user=user, trust=school.trust, term=term)
    for kind, row in grouped:
        if kind == "school" and row.school.pk == school.pk:
            return row, before
    return None, before


def sef_matrix(*, user, trust: Trust, year: AcademicYear | None, hub_id=None, phase=None):
    from trustwide.evaluation.selectors import DEFAULT_FRAMEWORK_CODE, trust_matrix

    return trust_matrix(
        user=user,
        trust=trust,
        year=year,
        framework_code=DEFAULT_FRAMEWORK_CODE,
        hub_id=hub_id,
        phase=phase,
    )


@dataclass
class SchoolOfConcern:
    school: School
    reasons: list[str]


def latest_inspections(*, school_ids) -> dict:
    """School id -> its latest graded inspection (monitoring visits aside), in one query."""
    out = {}
    for inspection in (
        Inspection.objects.filter(school_id__in=school_ids)
        .exclude(kind=MONITORING_VISIT)
        .order_by("school_id", "-inspected_on", "-pk")
    ):
        out.setdefault(inspection.school_id, inspection)
    return out


def schools_of_concern(
    *, rule: ConcernRule, dashboard: TrustDashboard, rollup_rows
) -> list[SchoolOfConcern]:
    """Apply the trust's rule to figures already read for the trust dashboard and roll-up."""
    by_school = {row.school.pk: row for kind, row in rollup_rows if kind == "school"}
    latest = latest_inspections(school_ids=[row.school.pk for row in dashboard.rows])
    out = []
    for row in dashboard.rows:
        reasons = []
        reading = read_inspection(latest.get(row.school.pk))
        if reading is not None and (
            reading.safeguarding_not_met or reading.urgent_areas or reading.rank_2019 == 4
        ):
            reasons.append(
                f"latest inspection ({reading.inspected_on:%d/%m/%Y}): {reading.summary.lower()}"
            )
        reds = [
            r.kpi.name
            for r in row.readings.values()
            if r.national_rating and r.national_rating.colour == "red"
        ]
        if rule.min_red_kpis and len(reds) >= rule.min_red_kpis:
            reasons.append(f"{len(reds)} KPIs red against national ({', '.join(reds)})")
        plan = by_school.get(row.school.pk)
        if plan is not None:
            if rule.min_red_priorities and plan.priorities.get("red", 0) >= rule.min_red_priorities:
                reasons.append(f"{plan.priorities['red']} plan priorities rated red")
            if rule.min_overdue_actions and plan.overdue_actions >= rule.min_overdue_actions:
                reasons.append(f"{plan.overdue_actions} overdue plan actions")
        problems = row.completeness.problems if row.completeness else []
        if rule.min_missing_datasets and len(problems) >= rule.min_missing_datasets:
            reasons.append(
                "pupil data " + ", ".join(f"{p.label.lower()} {p.word.lower()}" for p in problems)
            )
        if reasons:
            out.append(SchoolOfConcern(row.school, reasons))
    return out


def trust_year_trend(*, user, trust: Trust, codes) -> tuple[dict, list[int]]:
    """Trust-level full-year values of every stored year (trust-level viewers only)."""
    trend: dict = defaultdict(dict)
    years = set()
    for code, year, value in kpi_selectors.trust_year_values(user=user, trust=trust, codes=codes):
        trend[code][year] = value
        years.add(year)
    return dict(trend), sorted(years)


def trust_gap_values(*, user, trust: Trust, academic_year: int, codes) -> dict:
    return kpi_selectors.trust_group_values(
        user=user, trust=trust, academic_year=academic_year, groups=GAP_GROUPS, codes=codes
    )


def school_group_values(*, school: School, academic_year: int, codes) -> dict:
    """(code, group) -> KpiValue for the headline codes, full year, every group: one query."""
    return kpi_selectors.school_values(
        school=school, academic_year=academic_year, period="year", codes=codes
    )


# --------------------------------------------------------------------------- head's report


@dataclass
class MonitoringLine:
    activity: object
    done: bool
    overdue: bool


def monitoring_for(*, user, school: School, term: Term | None) -> list[MonitoringLine]:
    from trustwide.planning.models import MonitoringActivity

    if term is None:
        return []
    today = timezone.localdate()
    activities = (
        restrict(MonitoringActivity.objects.all(), user, Perm.MONITORING_VIEW)
        .filter(plan__school=school, term=term, cancelled=False)
        .select_related("term", "priority", "lead")
        .prefetch_related("records")
        .order_by("planned_on", "pk")
    )
    out = []
    for a in activities:
        done = bool(list(a.records.all()))
        out.append(MonitoringLine(a, done, not done and a.due_by < today))
    return out


def target_exceptions(readings) -> tuple[list, int]:
    """Readings rated red or amber against target or national (the report's exceptions), and
    how many others are on or above target."""
    exceptions, fine = [], 0
    for r in readings:
        colours = {x.colour for x in (r.target_rating, r.national_rating) if x}
        if colours & {"red", "amber"}:
            exceptions.append(r)
        elif r.value is not None:
            fine += 1
    exceptions.sort(
        key=lambda r: (
            0 if "red" in {x.colour for x in (r.target_rating, r.national_rating) if x} else 1
        )
    )
    return exceptions, fine


def commentary_for(*, school: School, term: Term | None):
    from .models import HeadReportCommentary

    if term is None:
        return None
    return (
        HeadReportCommentary.objects.filter(school=school, term=term)
        .select_related("updated_by")
        .first()
    )
