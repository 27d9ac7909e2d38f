"""Read API for pages and reports: KPI values with their context (target, national figure,
percentile against all and similar schools, last year, n), narrowed to what the user may see.

Every function reads the stored values (kpis.KpiValue): a trust figure and a school figure on
two pages are the same rows.
"""

from __future__ import annotations

import bisect
import datetime
import math
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Max, Q

from trustwide.access import Perm, hub_ids, school_ids
from trustwide.trusts.models import School
from trustwide.trusts.utils import year_label

from . import definitions as d
from . import rules
from .models import KpiTarget, KpiValue, Level, SchoolPerformance
from .national import BenchmarkMatch, lookup
from .percentiles import SIMILAR_N, SIZE_SHORTLIST, Placement
from .rating import Rating, rate

# The "big five" of seed 000, as the trust dashboard shows them.
BIG_FIVE = (
    "progress_expected_maths",
    "progress_above_maths",
    "teaching_at_least_good",
    "overall_absence",
    "persistent_absence",
    "transition_sustained",
)
# The statutory results a trust reports against national (the dashboards' headline rows, the
# strategic plan's year-end review), shown where a school has a value.
STATUTORY = (
    "eyfs_gld",
    "phonics_y1",
    "mtc_average",
    "ks2_rwm_expected",
    "ks2_rwm_higher",
    "ks2_average_reading",
    "ks2_average_maths",
    "ks4_attainment8",
    "ks4_progress8",
    "ks4_em_grade4",
    "ks4_em_grade5",
    "ks4_ebacc_entry",
    "ks4_ebacc_aps",
)
BENCHMARK_PHASES = {"primary", "secondary", "special"}


@dataclass
class Reading:
    kpi: d.KPI
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    pupils: int = 0
    suppressed: bool = False
    computed: bool = False  # False: no value stored (no data imported)
    target: float | None = None
    target_source: str = ""
    target_rating: Rating | None = None
    national: BenchmarkMatch | None = None
    national_rating: Rating | None = None
    last_year: float | None = None
    change: float | None = None
    percentiles: dict[str, Placement] = field(default_factory=dict)
    # Set when the period asked for has no figure yet and the latest earlier one is shown:
    # "summer term 2025/26". Its value is not rated against this period's target.
    from_period: str = ""

    @property
    def display(self) -> str:
        if not self.computed:
            return "no data"
        if self.suppressed or self.value is None:
            text = self.kpi.too_few
        else:
            text = self.kpi.format(self.value)
        return f"{text} ({self.from_period})" if self.from_period else text

    @property
    def count_text(self) -> str:
        """'3 observations' for teaching quality; '27' for pupils (the column says Pupils)."""
        unit = "" if self.kpi.count_unit == "pupils" else f" {self.kpi.count_unit}"
        return f"{self.pupils}{unit}"

    @property
    def n_label(self) -> str:
        return f"n={self.count_text}"


def _values(filters: Q, *, academic_year: int, period: str, groups, codes) -> list[KpiValue]:
    return list(
        KpiValue.objects.filter(
            filters,
            academic_year=academic_year,
            period=period,
            group__in=groups,
            kpi_code__in=codes,
        ).only(*_VALUE_FIELDS)
    )


_VALUE_FIELDS = (
    "kpi_code",
    "school_id",
    "hub_id",
    "level",
    "group",
    "value",
    "numerator",
    "denominator",
    "pupils",
    "suppressed",
    "academic_year",
)


# Order of periods inside a year, for "the latest period that has data" (ytd is left out: at
# the year's end it equals the full year, and mid-year it is what the year period shows).
_PERIOD_RANK = {"autumn": 1, "spring": 2, "summer": 3, "ytd": 3.5, "year": 4}
_PERIOD_WORDS = {
    "autumn": "autumn term",
    "spring": "spring term",
    "summer": "summer term",
    "year": "full year",
}


def period_label(academic_year: int, period: str) -> str:
    return f"{_PERIOD_WORDS.get(period, period)} {year_label(academic_year)}"


_EARLIER_PERIODS = ("autumn", "spring", "summer", "year")


def _pick_latest_before(rows, *, academic_year: int, period: str, key) -> dict:
    """Of `rows` (this year's and last year's), per key the latest period before the one asked."""
    asked = academic_year * 10 + _PERIOD_RANK.get(period, 4)
    best: dict = {}
    for row in rows:
        if row.period not in _EARLIER_PERIODS:
            continue
        rank = row.academic_year * 10 + _PERIOD_RANK[row.period]
        if rank >= asked:
            continue
        k = key(row)
        if k not in best or best[k][0] < rank:
            best[k] = (rank, row)
    return {k: row for k, (_, row) in best.items()}


def _two_years(filters: Q, *, academic_year: int, period: str, group: str, codes) -> list:
    """This year's and last year's values for the period asked and for the periods a missing
    figure falls back to, in one query (the trust table reads them per school at once)."""
    return list(
        KpiValue.objects.filter(
            filters,
            academic_year__in=[academic_year - 1, academic_year],
            period__in=sorted({period, *_EARLIER_PERIODS}),
            group=group,
            kpi_code__in=list(codes),
        ).only(*_VALUE_FIELDS, "period")
    )


def _show_earlier(reading: Reading, row: KpiValue) -> Reading:
    """Fill a reading that has no figure for the period asked with an earlier period's."""
    reading.computed = True
    reading.value, reading.numerator, reading.denominator = (
        row.value,
        row.numerator,
        row.denominator,
    )
    reading.pupils, reading.suppressed = row.pupils, row.suppressed
    reading.from_period = period_label(row.academic_year, row.period)
    reading.target_rating = None
    reading.national_rating = None
    reading.change = None
    return reading


def _targets(
    trust_id: int, academic_year: int, codes, group: str
) -> dict[tuple[int | None, str], float]:
    rows = KpiTarget.objects.filter(
        trust_id=trust_id, academic_year=academic_year, kpi_code__in=codes, group=group
    )
    return {(t.school_id, t.kpi_code): t.target for t in rows}


def _benchmark_phase(school: School | None) -> str:
    return school.phase if school is not None and school.phase in BENCHMARK_PHASES else "all"


def _fill(
    reading: Reading,
    *,
    row: KpiValue | None,
    last: KpiValue | None,
    target: float | None,
    target_source: str,
    phase: str,
    academic_year: int,
    period: str,
    group: str,
) -> Reading:
    kpi = reading.kpi
    if row is not None:
        reading.computed = True
        reading.value, reading.numerator, reading.denominator = (
            row.value,
            row.numerator,
            row.denominator,
        )
        reading.pupils, reading.suppressed = row.pupils, row.suppressed
    if last is not None and not last.suppressed:
        reading.last_year = last.value
        if reading.value is not None and last.value is not None:
            reading.change = reading.value - last.value
    reading.target, reading.target_source = target, target_source
    reading.target_rating = rate(value=reading.value, reference=target, kpi=kpi, against="target")
    if period in ("year", "ytd"):
        reading.national = lookup(
            measure=kpi.code, academic_year=academic_year, phase=phase, group=group
        )
        if reading.national is not None:
            reading.national_rating = rate(
                value=reading.value, reference=reading.national.value, kpi=kpi, against="national"
            )
    return reading


def predecessors_of(school_ids) -> dict[int, int]:
    """Predecessor school id -> successor school id, following GIAS URN links (trusts.SchoolLink)
    back through every earlier URN held by a school on this site, so a converted or re-brokered
    school's earlier years read as its own. Values stored under a URN that was never a school
    here do not exist, so nothing continues for those."""
    from trustwide.trusts.models import SchoolLink

    out: dict[int, int] = {}
    frontier = {pk: pk for pk in school_ids}  # school -> the successor it belongs to
    for _ in range(5):  # a school rarely changes URN more than twice; stop on any loop
        links = SchoolLink.objects.filter(school_id__in=frontier).values_list(
            "school_id", "predecessor_urn"
        )
        urns: dict[int, int] = {}
        for school_id, urn in links:
            urns[urn] = frontier[school_id]
        found = dict(School.objects.filter(urn__in=urns).values_list("pk", "urn"))
        frontier = {
            pk: urns[urn] for pk, urn in found.items() if pk not in out and pk not in school_ids
        }
        if not frontier:
            break
        out.update(frontier)
    return out


def school_history_ids(school: School) -> list[int]:
    """The school and its predecessors (own id last, so its own values win where both exist)."""
    return [*predecessors_of([school.pk]), school.pk]


def school_readings(
    *,
    school: School,
    academic_year: int,
    period: str = "year",
    group: str = "all",
    codes=None,
    with_percentiles: bool = True,
) -> list[Reading]:
    """Every KPI (or `codes`) for one school. The caller has checked KPI_VIEW on the school."""
    codes = list(codes or [k.code for k in d.KPIS])
    # Last year reads through URN links: a school that converted last year compares with its
    # predecessor. This year, last year and the periods a missing figure falls back to: one query.
    history = school_history_ids(school)
    values = sorted(
        _two_years(
            Q(school_id__in=history),
            academic_year=academic_year,
            period=period,
            group=group,
            codes=codes,
        ),
        key=lambda v: history.index(v.school_id),  # the school's own rows last: they win
    )
    current = {
        v.kpi_code: v
        for v in values
        if v.school_id == school.pk and v.academic_year == academic_year and v.period == period
    }
    last = {
        v.kpi_code: v for v in values if v.academic_year == academic_year - 1 and v.period == period
    }
    targets = _targets(school.trust_id, academic_year, codes, group)
    phase = _benchmark_phase(school)
    earlier = _pick_latest_before(
        reversed(values),  # own rows first: on a tie of periods the first row wins
        academic_year=academic_year,
        period=period,
        key=lambda v: v.kpi_code,
    )
    readings = []
    for code in codes:
        kpi = d.kpi_by_code(code)
        own = targets.get((school.pk, code))
        target, source = (
            (own, "school target")
            if own is not None
            else (targets.get((None, code)), "trust default")
        )
        reading = _fill(
            Reading(kpi),
            row=current.get(code),
            last=last.get(code),
            target=target,
            target_source=source if target is not None else "",
            phase=phase,
            academic_year=academic_year,
            period=period,
            group=group,
        )
        if not reading.computed and code in earlier:
            _show_earlier(reading, earlier[code])
        if (
            with_percentiles
            and not reading.from_period
            and reading.value is not None
            and group == "all"
            and period in ("year", "ytd")
        ):
            reading.percentiles = place_school(
                kpi=kpi, value=reading.value, school=school, academic_year=academic_year
            )
        readings.append(reading)
    return readings


def group_readings(
    *, school: School, academic_year: int, period: str, code: str
) -> list[tuple[str, Reading]]:
    """One KPI for every pupil group of a school (and the gap rows)."""
    kpi = d.kpi_by_code(code)
    rows = KpiValue.objects.filter(
        school=school, academic_year=academic_year, period=period, kpi_code=code
    )
    by_group = {r.group: r for r in rows}
    out = []
    from .groups import GROUP_LABELS

    for group, label in GROUP_LABELS.items():
        if group.endswith("_gap"):
            continue
        reading = Reading(kpi)
        row = by_group.get(group)
        if row is not None:
            reading.computed = True
            reading.value, reading.pupils, reading.suppressed = (
                row.value,
                row.pupils,
                row.suppressed,
            )
        out.append((label, reading))
    for gap in ("disadvantaged_gap", "sen_gap"):
        row = by_group.get(gap)
        reading = Reading(kpi)
        if row is not None:
            reading.computed = True
            reading.value, reading.pupils, reading.suppressed = (
                row.value,
                row.pupils,
                row.suppressed,
            )
            reading.national = lookup(
                measure=kpi.code,
                academic_year=academic_year,
                phase=_benchmark_phase(school),
                group=gap,
            )
        out.append((GROUP_LABELS[gap], reading))
    return out


@dataclass
class SchoolRow:
    school: School
    readings: dict[str, Reading]


def trust_school_table(
    *,
    user,
    trust,
    academic_year: int,
    period: str = "year",
    group: str = "all",
    codes=BIG_FIVE,
    hub_id: int | None = None,
    phase: str | None = None,
) -> tuple[list[SchoolRow], dict[str, Reading]]:
    """One row per school the user may see (KPI_VIEW), plus the trust-level readings.

    A fixed number of queries whatever the number of schools."""
    codes = list(codes)
    visible = school_ids(user, Perm.KPI_VIEW)
    # Schools in the trust at some time in the academic year: one that joined mid-year shows from
    # its joining date, one that left shows for the years it belonged.
    schools = (
        School.objects.filter(trust=trust, pk__in=visible)
        .open_between(datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31))
        .select_related("hub")
        .order_by("name")
    )
    if hub_id:
        schools = schools.filter(hub_id=hub_id)
    if phase:
        schools = schools.filter(phase=phase)
    schools = list(schools)
    ids = [s.pk for s in schools]
    successors = predecessors_of(ids)
    values = _two_years(
        Q(school_id__in=[*successors, *ids]),
        academic_year=academic_year,
        period=period,
        group=group,
        codes=codes,
    )
    current, last = {}, {}
    # Predecessors first, so a school's own value wins where both were stored.
    for v in sorted(values, key=lambda v: v.school_id not in successors):
        if v.period != period:
            continue
        if v.academic_year == academic_year and v.school_id not in successors:
            current[(v.school_id, v.kpi_code)] = v
        elif v.academic_year == academic_year - 1:
            last[(successors.get(v.school_id, v.school_id), v.kpi_code)] = v
    targets = _targets(trust.pk, academic_year, codes, group)
    earlier = _pick_latest_before(
        (v for v in values if v.school_id not in successors),
        academic_year=academic_year,
        period=period,
        key=lambda v: (v.school_id, v.kpi_code),
    )
    rows = []
    for school in schools:
        readings = {}
        for code in codes:
            own = targets.get((school.pk, code))
            target, source = (
                (own, "school target")
                if own is not None
                else (targets.get((None, code)), "trust default")
            )
            readings[code] = _fill(
                Reading(d.kpi_by_code(code)),
                row=current.get((school.pk, code)),
                last=last.get((school.pk, code)),
                target=target,
                target_source=source if target is not None else "",
                phase=_benchmark_phase(school),
                academic_year=academic_year,
                period=period,
                group=group,
            )
            if not readings[code].computed and (school.pk, code) in earlier:
                _show_earlier(readings[code], earlier[(school.pk, code)])
        rows.append(SchoolRow(school, readings))
    trust_readings = (
        trust_level_readings(
            trust=trust,
            academic_year=academic_year,
            period=period,
            group=group,
            codes=codes,
            targets=targets,
        )
        if rules.reads_trust_figures(user, trust.pk)
        else {}
    )
    return rows, trust_readings


def trust_level_readings(
    *,
    trust,
    academic_year: int,
    period: str = "year",
    group: str = "all",
    codes,
    targets: dict | None = None,
) -> dict[str, Reading]:
    """The trust's own readings (level trust) for `codes`, with last year, the earlier period a
    missing figure falls back to and the national figure: one query for the values (plus the
    targets when not given). The caller has decided the user may see them
    (rules.reads_trust_figures, or rules.sees_trust_subject_averages beside a school)."""
    codes = list(codes)
    if targets is None:
        targets = _targets(trust.pk, academic_year, codes, group)
    at_trust = _two_years(
        Q(trust=trust, level=Level.TRUST),
        academic_year=academic_year,
        period=period,
        group=group,
        codes=codes,
    )
    now = {
        v.kpi_code: v for v in at_trust if v.academic_year == academic_year and v.period == period
    }
    before = {
        v.kpi_code: v
        for v in at_trust
        if v.academic_year == academic_year - 1 and v.period == period
    }
    earlier_trust = _pick_latest_before(
        at_trust, academic_year=academic_year, period=period, key=lambda v: v.kpi_code
    )
    readings = {}
    for code in codes:
        readings[code] = _fill(
            Reading(d.kpi_by_code(code)),
            row=now.get(code),
            last=before.get(code),
            target=targets.get((None, code)),
            target_source="trust default",
            phase="all",
            academic_year=academic_year,
            period=period,
            group=group,
        )
        if not readings[code].computed and code in earlier_trust:
            _show_earlier(readings[code], earlier_trust[code])
    return readings


def hub_values_visible(user) -> set[int]:
    return hub_ids(user, Perm.KPI_VIEW)


# -- stored values by school and trust, for the dashboards and reports --------------------------
# The dashboards read KpiValue and KpiTarget only through these, so a KPI's read rule has one home.


def trust_target_codes(*, trust, academic_year: int) -> set[str]:
    """KPIs the trust set a trust-wide target for (all pupils) in the year."""
    return set(
        KpiTarget.objects.filter(
            trust=trust, academic_year=academic_year, school__isnull=True, group="all"
        )
        .values_list("kpi_code", flat=True)
        .distinct()
    )


def school_values(
    *, school: School, academic_year: int, groups=None, period: str | None = None, codes
) -> dict[tuple[str, str], KpiValue]:
    """(code, group) -> stored value of the school for the year (one query). groups: the groups
    wanted (all when None); period: one period (every period when None: the caller filters)."""
    qs = KpiValue.objects.filter(
        school=school, academic_year=academic_year, kpi_code__in=list(codes)
    )
    if period is not None:
        qs = qs.filter(period=period)
    if groups is not None:
        qs = qs.filter(group__in=list(groups))
    return {(v.kpi_code, v.group): v for v in qs}


def school_history(*, school: School, academic_year: int, codes, term_periods) -> list[KpiValue]:
    """All pupils: the full-year value of every stored year, and term values of this year and
    last (one query), earlier URNs of the school first (GIAS links), so its own values come last
    and win where both exist."""
    history = school_history_ids(school)
    values = (
        KpiValue.objects.filter(school_id__in=history, group="all", kpi_code__in=list(codes))
        .filter(
            Q(period="year")
            | Q(period__in=term_periods, academic_year__in=[academic_year - 1, academic_year])
        )
        .only("kpi_code", "period", "academic_year", "value", "suppressed", "school_id")
    )
    return sorted(values, key=lambda v: history.index(v.school_id))


def school_year_groups(*, school: School, academic_year: int) -> set[str]:
    """The year groups ("year_7"...) the school has values for."""
    return set(
        KpiValue.objects.filter(
            school=school, academic_year=academic_year, group__startswith="year_"
        )
        .values_list("group", flat=True)
        .distinct()
    )


def trust_year_values(*, user, trust, codes) -> list[tuple[str, int, float | None]]:
    """(code, year, value) of the trust's own full-year figures, every stored year; empty for
    those who do not read trust-level figures."""
    if not rules.reads_trust_figures(user, trust.pk):
        return []
    return list(
        KpiValue.objects.filter(
            trust=trust, level=Level.TRUST, period="year", group="all", kpi_code__in=list(codes)
        ).values_list("kpi_code", "academic_year", "value")
    )


def trust_group_values(
    *, user, trust, academic_year: int, groups, codes
) -> dict[tuple[str, str], KpiValue]:
    """(code, group) -> the trust's own full-year value; empty for those who do not read
    trust-level figures."""
    if not rules.reads_trust_figures(user, trust.pk):
        return {}
    return {
        (v.kpi_code, v.group): v
        for v in KpiValue.objects.filter(
            trust=trust,
            level=Level.TRUST,
            academic_year=academic_year,
            period="year",
            group__in=list(groups),
            kpi_code__in=list(codes),
        )
    }


# -- percentiles against published school figures -----------------------------------------------


def _points_version(code: str):
    return SchoolPerformance.objects.filter(kpi_code=code).aggregate(n=Count("pk"), last=Max("pk"))


@lru_cache(maxsize=64)
def _population(code: str, version: tuple) -> dict:
    """Published values of the latest year for `code`: per phase, values sorted, and
    (fsm %, value, urn, pupils on roll, name) sorted by fsm % for the similar-schools window."""
    latest = SchoolPerformance.objects.filter(kpi_code=code).aggregate(y=Max("academic_year"))["y"]
    by_phase: dict[str, list] = {}
    for phase, value, fsm, urn, nor, name in SchoolPerformance.objects.filter(
        kpi_code=code, academic_year=latest, value__isnull=False
    ).values_list("phase", "value", "fsm_ever_pct", "urn", "pupils_on_roll", "school_name"):
        by_phase.setdefault(phase, []).append((value, fsm, urn, nor, name))
    out = {"year": latest}
    for phase, items in by_phase.items():
        out[phase] = {
            "sorted": sorted(v for v, *_ in items),
            "by_fsm": sorted((f, v, u, n, name) for v, f, u, n, name in items if f is not None),
        }
    return out


def _rank(sorted_values: list[float], value: float, better: str) -> float | None:
    if not sorted_values:
        return None
    below = bisect.bisect_left(sorted_values, value)
    ties = bisect.bisect_right(sorted_values, value) - below
    above = len(sorted_values) - below - ties
    worse = below if better == "higher" else above
    return 100.0 * (worse + 0.5 * ties) / len(sorted_values)


@dataclass(frozen=True)
class SimilarSchools:
    """The published schools a school is compared with for one KPI (the latest year loaded)."""

    year: int
    phase: str
    rows: list[tuple]  # (fsm %, value, urn, pupils on roll, name), closest first
    sized: bool  # size (number on roll) refined the choice
    description: str  # "the 100 primary schools with the closest % disadvantaged (...)"

    @property
    def year_label(self) -> str:
        return year_label(self.year)


def _population_for(kpi: d.KPI, school: School) -> dict | None:
    version = _points_version(kpi.code)
    if not version["n"]:
        return None
    return _population(kpi.code, (version["n"], version["last"]))


def _similar(population: dict, school: School) -> SimilarSchools | None:
    """The SIMILAR_N schools of the school's phase with the closest % disadvantaged, then
    (of a shortlist SIZE_SHORTLIST times as long) the closest in size where sizes are known."""
    phase_data = population.get(school.phase)
    if school.percent_disadvantaged is None or not phase_data or not phase_data["by_fsm"]:
        return None
    fsm = float(school.percent_disadvantaged)
    by_fsm = phase_data["by_fsm"]
    centre = bisect.bisect_left(by_fsm, (fsm,))
    wide = SIMILAR_N * SIZE_SHORTLIST
    lo, hi = max(0, centre - wide), min(len(by_fsm), centre + wide)
    window = sorted(
        (p for p in by_fsm[lo:hi] if p[2] != school.urn), key=lambda p: (abs(p[0] - fsm), p[2])
    )
    size = school.pupils_on_roll or None
    sized = size is not None and any(p[3] for p in window[:wide])
    if sized:
        # Closest % disadvantaged first (a shortlist of SIZE_SHORTLIST x N), then closest size
        # (by ratio, so 200 vs 400 pupils is as far as 500 vs 1,000).
        shortlist = [p for p in window[:wide] if p[3]]
        window = sorted(
            shortlist, key=lambda p: (abs(math.log(p[3] / size)), abs(p[0] - fsm), p[2])
        )
    window = window[:SIMILAR_N]
    if not window:
        return None
    low, high = min(p[0] for p in window), max(p[0] for p in window)
    what = f"the {len(window)} {school.phase} schools with the closest % disadvantaged ({low:g}-{high:g}%)"
    if sized:
        what += (
            f" and size ({min(p[3] for p in window):,}-{max(p[3] for p in window):,} pupils, "
            f"this school {size:,})"
        )
    return SimilarSchools(population["year"], school.phase, window, sized, what)


def similar_schools(*, kpi: d.KPI, school: School) -> SimilarSchools | None:
    """The named comparison schools behind a school's "similar schools" percentile. Published
    school-level figures are public data; callers check the user may read the school's KPIs."""
    population = _population_for(kpi, school)
    return _similar(population, school) if population else None


def place_school(
    *, kpi: d.KPI, value: float, school: School, academic_year: int | None = None
) -> dict[str, Placement]:
    """Percentile of the school's value among all schools of its phase nationally and among
    the SIMILAR_N schools of its phase with the closest % disadvantaged (published figures of
    the latest year imported; same ranking as percentiles.percentile_rank). Each placement
    names that year, and says so when it is older than `academic_year`, the value's year."""
    population = _population_for(kpi, school)
    if population is None:
        return {}
    year = population["year"]
    phase_data = population.get(school.phase)
    if not phase_data:
        return {}
    n_all = len(phase_data["sorted"])
    national = Placement(
        _rank(phase_data["sorted"], value, kpi.better),
        n_all,
        f"{n_all:,} {school.phase} schools in England",
        year=year,
        compared_year=academic_year,
    )
    out = {"national": national}
    similar = _similar(population, school)
    if similar is not None:
        values = sorted(p[1] for p in similar.rows)
        out["similar"] = Placement(
            _rank(values, value, kpi.better),
            len(values),
            similar.description,
            year=year,
            compared_year=academic_year,
        )
    return out
