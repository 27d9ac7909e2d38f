"""The plan: Ibis expressions over placeholder tables, compiled once and cached."""

from __future__ import annotations

import functools
import operator
import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from trustwide.data import derived
from trustwide.data.schemas import KS4_SUBJECT_PREFIX
from trustwide.kpis import definitions as d
from trustwide.kpis.groups import NO_CELL, cell_code
from trustwide.kpis.periods import (
    TERM_ORDER,
    Period,
    assessment_terms,
    build_periods,
)

from . import ks4
from .backends import (
    _Backend,
)
from .ks4 import ks4_facts
from .schema import (
    KEYS,
    STORE_COLUMNS,
)

# ----------------------------------------------------------------------------------------
# The plan: Ibis expressions over placeholder tables, compiled once and cached
# ----------------------------------------------------------------------------------------


def _placeholder(role: str) -> str:
    return f"__kpi_{role}__"


_PLACEHOLDER = re.compile(r"__kpi_([a-z_]+?)__")


def _table(role: str, schema) -> ir.Table:
    """An unbound table the compiled SQL names by placeholder; bound per run."""
    return ibis.table(ibis.schema(schema), name=_placeholder(role))


@dataclass(frozen=True)
class _Step:
    family: str
    materialize: str | None  # placeholder role of a table to create, or None for a query
    sql: str
    schema: pa.Schema | None  # of a query's result
    # A query's cells: per KPI the (numerator, denominator sum, denominator count) column
    # names, each present once per period index in `periods` as "<name>__<index>".
    layout: tuple[tuple[str, str, str], ...] = ()
    periods: tuple[int, ...] = ()
    # Columns "<p>__<index>" that hold several of those quantities in 16-bit fields.
    packed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Quantities summed in units of 1/SUM_UNITS (decimals); the others are whole numbers.
    in_units: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Plan:
    steps: tuple[_Step, ...]
    lookups: dict[str, pa.Table]  # small tables bound per run
    datasets: dict[str, dict[str, str]]  # dataset -> the columns read (name -> type)


_PLANS: dict[tuple, _Plan] = {}
_PLANS_LOCK = threading.Lock()


def _plan(
    backend: _Backend,
    *,
    year: int,
    terms: tuple[Period, ...],
    as_of: date,
    kpis: tuple[d.KPI, ...],
    estimates: pa.Table | None = None,
) -> _Plan:
    """The compiled plan for these parameters: cached per process (compiling with Ibis costs
    far more than running the small queries it produces), per family, so that e.g. the
    attendance-only refresh and the full refresh share their attendance SQL."""
    parts = [
        _cached((backend.kind, year), lambda p: p.chars_plan(backend.compile), year, terms, as_of)
    ]
    for family in d.FAMILIES:
        fam = tuple(k for k in kpis if k.family == family)
        if fam:
            parts.append(
                _cached(
                    (backend.kind, year, terms, as_of, tuple(k.code for k in fam)),
                    lambda p, fam=fam: p.family_plan(fam, backend.compile),
                    year,
                    terms,
                    as_of,
                )
            )
    lookups = {r: t for p in parts for r, t in p.lookups.items()}
    if ks4.ESTIMATES_ROLE in lookups:  # the caller's, per run: not cached with the plan
        lookups[ks4.ESTIMATES_ROLE] = (
            estimates if estimates is not None else ks4.estimates_table(())
        )
    return _Plan(
        steps=tuple(s for p in parts for s in p.steps),
        lookups=lookups,
        datasets={ds: cols for p in parts for ds, cols in p.datasets.items()},
    )


def _cached(key, build, year, terms, as_of) -> _Plan:
    plan = _PLANS.get(key)
    if plan is None:
        plan = build(_Planner(year=year, terms=list(terms), as_of=as_of))
        with _PLANS_LOCK:
            if len(_PLANS) > 256:  # parameters change daily (as_of): keep the cache small
                _PLANS.clear()
            _PLANS[key] = plan
    return plan


class _PeriodFacts:
    """The facts of one period, as the KPI measures see them: ``f.possible`` (or
    ``f["possible"]``) is the per-pupil table's column ``possible__<period index>``."""

    def __init__(self, table: ir.Table, period: int | None):
        self._table = table
        self._suffix = "" if period is None else f"__{period}"

    def __getitem__(self, name: str) -> ir.Value:
        return self._table[name + self._suffix]

    def __getattr__(self, name: str) -> ir.Value:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


@dataclass(frozen=True)
class _Facts:
    """A family's per-pupil table (one row per school and pupil) and, per period index, how
    the measures see it and which pupils are in the period (None: every row)."""

    table: ir.Table
    periods: tuple[tuple[int, _PeriodFacts, ir.BooleanValue | None], ...]


class _Planner:
    def __init__(self, *, year: int, terms: list[Period], as_of: date):
        self.year = year
        self.terms = terms
        self.as_of = as_of
        self.periods = build_periods(academic_year=year, terms=terms, as_of=as_of)
        self.period_index = {p.code: i for i, p in enumerate(self.periods)}
        self.lookups: dict[str, pa.Table] = {}
        self.datasets: dict[str, dict[str, str]] = {}

    def read(self, dataset: str, extra: dict[str, str] | None = None) -> ir.Table:
        cols = {**STORE_COLUMNS[dataset], **(extra or {})}
        self.datasets[dataset] = {**self.datasets.get(dataset, {}), **cols}
        t = _table(dataset, self.datasets[dataset])
        if "academic_year" in cols:  # small datasets: cheap belt-and-braces filter
            t = t.filter(t.academic_year == self.year)
        return t

    def lookup(self, role: str, table: pa.Table) -> ir.Table:
        self.lookups[role] = table
        return _table(role, ibis.Schema.from_pyarrow(table.schema))

    def chars_plan(self, compile_) -> _Plan:
        chars = self._characteristics()
        return _Plan((_Step("", "chars", compile_(chars), None),), {}, dict(self.datasets))

    def family_plan(self, kpis: tuple[d.KPI, ...], compile_) -> _Plan:
        """Steps of one family: tables to materialise, then the query of its cells."""
        family = kpis[0].family
        chars = _table("chars", self._characteristics().schema())
        self.datasets = {}  # the characteristics belong to chars_plan
        builders = {
            "attendance": self._attendance_facts,
            "assessment": self._assessment_facts,
            "statutory": self._statutory_facts,
            "ks4": self._ks4_facts,
            "transition": self._transition_facts,
        }
        facts = builders[family]()
        expr, layout, periods, packed, in_units = _family_cells(facts, chars, list(kpis))
        step = _Step(
            family,
            None,
            compile_(expr),
            expr.schema().to_pyarrow(),
            tuple(layout),
            tuple(periods),
            packed,
            in_units,
        )
        return _Plan((step,), dict(self.lookups), dict(self.datasets))

    def _characteristics(self) -> ir.Table:
        c = self.read("characteristics")
        # One row per pupil and school is expected (the store's natural key); if files written
        # around the store hold more, keep one (the highest cell code) so a pupil is never
        # counted twice in a group.
        c = c.select("school_urn", "pupil_key", cell=cell_code(c))
        return c.group_by("school_urn", "pupil_key").agg(cell=c.cell.max())

    # -- attendance --------------------------------------------------------------------------

    def _attendance_facts(self) -> _Facts:
        classes = derived.CLASSES  # possible, authorised, unauthorised
        periods = list(range(len(self.periods)))

        # Marks, through the store's weekly counts: for each period and class, the packed
        # count through the period's last day minus through the day before its first, then
        # the byte sum (trustwide.data.derived documents the format).
        def point(day: date) -> tuple[int, int] | None:
            """(week, weekday) of a day; None before week 0; the last week whole after it."""
            week, weekday = derived.week_and_day(day, self.year)
            if week < 0:
                return None
            return (week, weekday) if week < derived.WEEKS else (derived.WEEKS - 1, 6)

        spans = {
            i: (point(p.end), point(p.start - timedelta(days=1)))
            for i, p in enumerate(self.periods)
            if p.start <= p.end
        }  # ytd may be empty
        weeks = set()  # the week columns those reads need
        for week, weekday in (at for span in spans.values() for at in span if at):
            weeks |= {week} if weekday == 6 or not week else {week, week - 1}
        w = self.read(
            derived.ATTENDANCE_WEEKS,
            {derived.column(cls, week): "int64" for cls in classes for week in sorted(weeks)},
        )

        def through(cls: str, at: tuple[int, int] | None) -> ir.IntegerValue:
            if at is None:
                return ibis.literal(0, type="int64")
            week, weekday = at
            this = w[derived.column(cls, week)]
            if weekday == 6:
                return this
            low = ibis.literal(derived.low_mask(weekday), type="int64")
            if week == 0:
                return this & low
            before = w[derived.column(cls, week - 1)]
            return before + ((this - before) & low)

        def byte_sum(v: ir.IntegerValue) -> ir.IntegerValue:
            # Seven 8-bit fields (each <= 108) added pairwise: 16-bit, 32-bit, then the total.
            m8, m16, m32 = 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0xFFFFFFFF
            v = (v & m8) + ((v >> 8) & m8)
            v = (v & m16) + ((v >> 16) & m16)
            return (v & m32) + (v >> 32)

        from_marks = w.select(
            "school_urn",
            "pupil_key",
            **{
                f"{cls}__{i}": (
                    byte_sum(through(cls, spans[i][0]) - through(cls, spans[i][1]))
                    if i in spans
                    else ibis.literal(0, type="int64")
                )
                for i in periods
                for cls in classes
            },
        )

        # Schools that export only summaries: the rows whose dates overlap the period.
        s = self.read("attendance_summaries")
        s = s.anti_join(w.select("school_urn").distinct(), "school_urn")
        overlap = {
            i: (s.period_start <= self.periods[i].end) & (s.period_end >= self.periods[i].start)
            for i in periods
        }
        from_summaries = s.group_by(KEYS).agg(
            **{
                f"{cls}__{i}": s[cls].sum(where=overlap[i]).fill_null(0).cast("int64")
                for i in periods
                for cls in classes
            }
        )
        facts = ibis.union(from_marks, from_summaries, distinct=False)
        return _Facts(
            facts, tuple((i, _PeriodFacts(facts, i), facts[f"possible__{i}"] > 0) for i in periods)
        )

    # -- termly teacher assessment -------------------------------------------------------------

    def _assessment_facts(self) -> _Facts:
        # Per pupil, the band of each subject in each term (a pupil judged twice in one term
        # counts with the higher band): pivoted by the store (derived.assessment_bands).
        a = self.read(
            derived.ASSESSMENT_BANDS,
            {derived.band_column(s, t): "int8" for s in d.SUBJECTS for t in TERM_ORDER},
        )
        bands = a.select(
            *KEYS,
            **{
                f"{s}_{t}": a[derived.band_column(s, t)].cast("int16")
                for s in d.SUBJECTS
                for t in TERM_ORDER
            },
        )
        rows = assessment_terms(self.terms, self.as_of)
        cols: dict[str, ir.Value] = {}
        periods = []
        for i, p in enumerate(self.periods):
            inside = [t for t, per, ins in rows if per == p.code and ins]
            known = [t for t, per, _ins in rows if per == p.code]
            if not inside:
                continue
            periods.append(i)
            inside.sort(key=TERM_ORDER.get, reverse=True)  # latest first
            known.sort(key=TERM_ORDER.get)  # earliest first
            for s in d.SUBJECTS:
                # latest: the band of the latest term inside the period with a judgement;
                # first (the starting point): the band of the earliest term up to the
                # period's end with a judgement.
                cols[f"{s}_latest__{i}"] = ibis.coalesce(*[bands[f"{s}_{t}"] for t in inside])
                cols[f"{s}_latest_order__{i}"] = ibis.cases(
                    *[(bands[f"{s}_{t}"].notnull(), TERM_ORDER[t]) for t in inside]
                ).cast("int16")
                cols[f"{s}_first__{i}"] = ibis.coalesce(*[bands[f"{s}_{t}"] for t in known])
                cols[f"{s}_first_order__{i}"] = ibis.cases(
                    *[(bands[f"{s}_{t}"].notnull(), TERM_ORDER[t]) for t in known]
                ).cast("int16")
        facts = bands.select(*KEYS, **cols)
        return _Facts(
            facts,
            tuple(
                (
                    i,
                    _PeriodFacts(facts, i),
                    functools.reduce(
                        operator.or_, [facts[f"{s}_latest__{i}"].notnull() for s in d.SUBJECTS]
                    ),
                )
                for i in periods
            ),
        )

    # -- statutory and transition (the year only) -------------------------------------------

    def _year_only(self, facts: ir.Table) -> _Facts:
        return _Facts(facts, ((self.period_index["year"], _PeriodFacts(facts, None), None),))

    def _statutory_facts(self) -> _Facts:
        s = self.read("statutory")

        def num(measure):
            return s.value_num.max(where=s.measure == measure)

        def text(measure):
            return s.value_text.max(where=s.measure == measure)

        def count(measure):
            return s.count(where=s.measure == measure)

        # KS4 rows are the ks4 family's (engine/ks4.py).
        s = s.filter(~s.measure.startswith(KS4_SUBJECT_PREFIX))
        return self._year_only(
            s.group_by(KEYS).agg(
                gld=text("EYFS_GLD"),
                phonics=num("PHONICS_Y1"),
                phonics_n=count("PHONICS_Y1"),
                ks2_read=num("KS2_READ"),
                ks2_mat=num("KS2_MAT"),
                ks2_gps=num("KS2_GPS"),
                ks2_writ=text("KS2_WRIT_TA"),
                ks2_n=s.count(where=s.measure.isin(("KS2_READ", "KS2_MAT", "KS2_WRIT_TA"))),
                ks2_read_n=count("KS2_READ"),
                ks2_mat_n=count("KS2_MAT"),
                ks2_gps_n=count("KS2_GPS"),
                ks2_writ_n=count("KS2_WRIT_TA"),
                mtc=num("MTC"),
                ks1_read=text("KS1_READ_TA"),
                ks1_writ=text("KS1_WRIT_TA"),
                ks1_mat=text("KS1_MAT_TA"),
                ks1_sci=text("KS1_SCI_TA"),
                ks1_n=s.count(where=s.measure.isin(("KS1_READ_TA", "KS1_WRIT_TA", "KS1_MAT_TA"))),
            )
        )

    def _ks4_facts(self) -> _Facts:
        estimates = self.lookup(ks4.ESTIMATES_ROLE, ks4.estimates_table(()))  # bound per run
        return self._year_only(ks4_facts(self.read("statutory"), estimates))

    def _transition_facts(self) -> _Facts:
        t = self.read("transitions")
        return self._year_only(t.group_by(KEYS).agg(leavers=t.count(), sustained=t.sustained.any()))


def _uncast(op):
    while isinstance(op, ops.Cast):
        op = op.arg
    return op


def _is_indicator(den: ir.Value) -> bool:
    """Is a denominator 1 for every pupil it counts (the literal 1, or 1-or-null)? Then its
    sum over pupils equals its count, and only the count is computed: one aggregate fewer
    per period for every share-of-pupils KPI."""

    def literal(op, value) -> bool:
        op = _uncast(op)
        return isinstance(op, ops.Literal) and op.value == value

    op = _uncast(den.op())
    return literal(op, 1) or (
        isinstance(op, ops.IfElse)
        and literal(op.true_expr, 1)
        and literal(op.false_null_expr, None)
    )


# Share-of-pupils quantities (0 or 1 per pupil) are summed three to a column: 16-bit fields
# of one float64 (exact below 2**53), so the backend's GROUP BY updates a third as many sums.
# A (school, cell) group would need 65,536 pupils to overflow a field; the engine checks.
PACK_BITS = 16
PACK_FIELDS = 3
PACK_LIMIT = 1 << PACK_BITS

# Decimal per-pupil quantities are summed as integers of 1/SUM_UNITS: exact (so independent of
# summation order) for values of up to 4 decimals, and far below 2**53 for any trust (an
# Attainment 8 of 90 for 10 million pupils is 9e12 units).
SUM_UNITS = 10_000


def _whole(value: ir.Value) -> bool:
    return value.type().is_integer() or value.type().is_boolean()


def _summable(value: ir.Value, in_units: bool) -> ir.Value:
    """A per-pupil quantity as an int64 whose sums are exact in any order."""
    if in_units:
        return (value.cast("float64") * SUM_UNITS).round().cast("int64")
    return value.cast("int64")


def _is_flag(num: ir.Value) -> bool:
    """Is a numerator 0 or 1 for every pupil (a condition cast to an integer)?"""
    op = num.op()
    return isinstance(op, ops.Cast) and _uncast(op).dtype.is_boolean()


def _family_cells(facts: _Facts, chars: ir.Table, kpis: list[d.KPI]):
    """Per-pupil facts -> sums per cell: (school_urn, cell code), a column per KPI quantity and
    period. Every group is a union of cells and every KPI a ratio of sums, so the groups are
    added up from this small table afterwards (in numpy) instead of joining every pupil to
    each of its ~6 groups. One pass over the facts for all the family's KPIs and periods.

    Returns the expression; per KPI the (numerator, denominator sum, denominator count) base
    names (identical denominators, e.g. % expected and % greater depth, share columns); the
    period indexes present; and the packed columns: (column, the quantities in its fields).
    """
    t = facts.table
    sums: dict[str, ir.Value] = {}  # "<name>__<period>" -> per-pupil value to sum
    in_units: set[str] = set()  # names summed in 1/SUM_UNITS
    flags: dict[int, dict[str, ir.Value]] = {}  # period -> name -> 0/1 per pupil
    layout = None
    for period, view, present in facts.periods:
        seen: dict[object, str] = {}
        names = []
        dens: dict[str, ir.Value] = {}
        mine = flags.setdefault(period, {})
        for i, k in enumerate(kpis):
            num, den = k.measure(view)
            den_decimal = not _whole(den)
            den = den.cast("float64")
            key = den.op()
            if key not in seen:
                dname = seen[key] = f"d{len(seen)}"
                indicator = _is_indicator(den)
                if present is not None:
                    den = ibis.ifelse(present, den, ibis.null("float64"))
                dens[dname] = den
                # Pupils counted: always a flag. A denominator of 1 (or null) sums to the
                # same count, so its sum is not computed.
                mine[f"c{dname}"] = den.notnull().cast("int64")
                if not indicator:
                    sums[f"s{dname}__{period}"] = _summable(den, den_decimal)
                    if den_decimal:
                        in_units.add(f"s{dname}")
            dname = seen[key]
            counted = dens[dname].isnull()
            if _is_flag(num):
                mine[f"n{i}"] = ibis.ifelse(counted, 0, num.cast("int64"))
            else:
                decimal = not _whole(num)
                sums[f"n{i}__{period}"] = ibis.ifelse(
                    counted, ibis.null("int64"), _summable(num, decimal)
                )
                if decimal:
                    in_units.add(f"n{i}")
            total = f"s{dname}" if f"s{dname}__{period}" in sums else f"c{dname}"
            names.append((f"n{i}", total, f"c{dname}"))
        if layout is None:
            layout = names
        elif layout != names:
            raise AssertionError(
                "a family's KPIs must share denominators the same way in every period"
            )
    # The flags of each period, PACK_FIELDS to a column (the same packing in every period).
    order = list(next(iter(flags.values())))
    packed = tuple(
        (f"p{j}", tuple(order[j * PACK_FIELDS : (j + 1) * PACK_FIELDS]))
        for j in range((len(order) + PACK_FIELDS - 1) // PACK_FIELDS)
    )
    cols = dict(sums)
    for period, mine in flags.items():
        for name, fields in packed:
            value = functools.reduce(
                operator.add, [mine[f] * (PACK_LIMIT**slot) for slot, f in enumerate(fields)]
            )
            cols[f"{name}__{period}"] = value.cast("float64")
    nd = t.select(*KEYS, **cols)
    j = nd.left_join(chars, KEYS).select(
        nd.school_urn, cell=chars.cell.fill_null(NO_CELL), **{c: nd[c] for c in cols}
    )
    # Sums of no value are 0, not null, so the numpy side reads the columns as they are.
    aggs = {c: j[c].sum().fill_null(0) for c in cols}
    aggs["pupil_rows"] = j.count()  # for the packing's overflow check
    return (
        j.group_by("school_urn", "cell").agg(**aggs),
        layout,
        [period for period, _view, _present in facts.periods],
        packed,
        frozenset(in_units),
    )
