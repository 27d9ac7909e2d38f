"""Compute every KPI, group and period for one trust and academic year from the store.

Written once as Ibis expressions; runs on DuckDB (default) or PySpark unchanged.

How it is fast:

- Every family first becomes ONE row per pupil and school, with a column per fact and period
  (e.g. ``possible__3``): no per-period rows, no join to a periods table, one GROUP BY.
- Attendance is read from the store's derived weekly counts (trustwide.data.derived,
  attendance_weeks), not from the marks: per pupil, cumulative session counts by week and
  weekday packed in one int64 per class and week. A period's count is two column reads, a
  subtraction and a byte sum (integer and bitwise arithmetic, which both backends run), so
  the cost is per pupil, not per mark, and still exact for any term dates and cut-off day.
  The store keeps those counts in step with the marks on every import and rollback.
- A pupil's characteristics are packed into one small integer (groups.cell_code); each
  family's per-pupil facts are summed per (school, cell code) in one narrow GROUP BY for all
  its KPIs and periods.
- The expressions are built over placeholder table names and compiled to SQL once per
  (backend, year, terms, as_of, KPI selection), then cached: a refresh only binds the
  placeholders to this run's tables and executes the SQL.
- Groups, roll-up (school -> hub -> trust), suppression and gaps run in numpy on the small cell
  table, identical for every backend: every group is a union of cells and every KPI a ratio of
  sums, so a school's groups are one small matrix product (cells x groups membership), and
  the result rows are produced already in sorted order (no sort).

Roll-up: KPIs are ratios of sums over pupils, so hub and trust rows sum the school rows'
numerators, denominators and pupil counts: the same pupil-level facts, not averages of
school rates. Pupils are counted per enrolment, as DfE does.

Determinism: every sum is of integers, so its value does not depend on the order the backend
(parallel hash aggregation), the batches or numpy add in. Decimal quantities (Attainment 8)
are summed in units of 1/SUM_UNITS (exact for up to 4 decimals) and divided back at the end;
float sums of decimals once gave different last bits on refreshes of the same files.

Streaming: schools are processed in batches of at most ``batch_schools`` (default
BATCH_SCHOOLS, cut where the derived attendance shards end); each batch reads only its
schools' files, and hub and trust sums accumulate across batches, so the backend's memory is
bounded by the largest batch whatever the trust's size. ``iter_kpis`` yields each batch's
school rows as soon as they are ready (and the hub and trust rows last) for callers that
write them out incrementally; ``compute_kpis`` returns everything as one sorted table.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from trustwide.data import derived
from trustwide.data.store import AnalyticsStore
from trustwide.kpis import definitions as d
from trustwide.kpis.groups import GROUPS, NO_CELL, cell_code, membership
from trustwide.kpis.periods import (
    TERM_ORDER,
    Period,
    assessment_terms,
    build_periods,
    normalise_terms,
    resolve_as_of,
    year_bounds,
)

RESULT_SCHEMA = pa.schema(
    [
        ("kpi_code", pa.string()),
        ("level", pa.string()),  # 'school' | 'hub' | 'trust'
        ("scope_id", pa.string()),  # URN, hub id or trust id, as text
        ("period", pa.string()),  # 'autumn' | 'spring' | 'summer' | 'ytd' | 'year'
        ("group", pa.string()),  # groups.GROUPS or 'disadvantaged_gap' | 'sen_gap'
        ("value", pa.float64()),  # null when suppressed
        ("numerator", pa.float64()),  # null when suppressed and for gap rows
        ("denominator", pa.float64()),
        ("pupils", pa.int64()),  # the n behind the value (judgements for teaching)
        ("suppressed", pa.bool_()),
    ]
)

# Columns read from each dataset (docs/DATA.md) with the types we compute in.
STORE_COLUMNS: dict[str, dict[str, str]] = {
    "characteristics": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "year_group": "int8", "sex": "string", "disadvantaged": "boolean", "sen": "string",
        "eal": "boolean",
    },
    # Derived from the marks by the store (trustwide.data.derived); the week columns a plan
    # needs are added per plan (see _Planner.read).
    "attendance_weeks": {"school_urn": "int32", "pupil_key": "string"},
    "attendance_summaries": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "period_start": "date", "period_end": "date", "possible": "int32", "present": "int32",
        "authorised": "int32", "unauthorised": "int32",
    },
    # Pivoted by the store (trustwide.data.derived); the band columns are added per plan.
    "assessment_bands": {"school_urn": "int32", "academic_year": "int16", "pupil_key": "string"},
    "statutory": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "measure": "string", "value_num": "float64", "value_text": "string",
    },
    "transitions": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "sustained": "boolean",
    },
}
# The store pivots judgements into bands (derived.assessment_bands) for its known subjects, in
# the order of its judgements: the KPIs' subjects and bands must be those.
if not set(d.SUBJECTS) <= set(derived.SUBJECTS) or tuple(d.BANDS) != tuple(derived.JUDGEMENTS):
    raise ImportError("KPI subjects and bands must be among the store's (derived.assessment_bands)")

FAMILY_DATASETS = {
    "attendance": ("attendance_weeks", "attendance_summaries"),
    "assessment": ("assessment_bands",),
    "statutory": ("statutory",),
    "transition": ("transitions",),
}

# Per-pupil facts are keyed by school and pupil; a fact of period i (the index of the period
# in periods.build_periods) is the column "<fact>__<i>".
KEYS = ["school_urn", "pupil_key"]

# Schools per batch: ~500 schools is 150,000-300,000 pupils, a few hundred MB in DuckDB's hash
# tables; a trust of that size or smaller runs in one batch.
BATCH_SCHOOLS = 1024
# DuckDB limits for connections the engine opens itself (a 4 GB budget for the whole process).
DUCKDB_MEMORY_LIMIT = os.environ.get("TRUSTWIDE_KPI_DUCKDB_MEMORY", "2.5GB")
# Where DuckDB spills beyond that limit (its default is a .tmp folder in the working directory).
DUCKDB_TEMP_DIR = os.environ.get(
    "TRUSTWIDE_KPI_DUCKDB_TEMP", os.path.join(tempfile.gettempdir(), "trustwide-duckdb")
)

_LEVELS = ("hub", "school", "trust")  # sorted, as the result is


class StaleDerivedData(RuntimeError):
    """The store's shards (trustwide.data.derived) do not match the school files."""


def compute_kpis(
    *,
    store_root: str | Path,
    trust_id: int | str,
    academic_year: int,
    school_hubs: dict[int, int | str | None],
    terms: Iterable[tuple[str, date, date]],
    backend: str = "duckdb",
    as_of: date | None = None,
    kpis: list[str] | None = None,
    connection=None,
    batch_schools: int | None = None,
) -> pa.Table:
    """Return one row per (kpi_code, level, scope_id, period, group); see RESULT_SCHEMA.

    school_hubs: the trust's schools (URN -> hub id or None); only these schools are read.
    terms: (code, start, end) with code 'autumn'|'spring'|'summer', dates inclusive.
    as_of: year-to-date cut-off (default today, clipped to the academic year).
    kpis: optional subset of KPI codes or family names ('attendance', ...); default all.
    connection: an existing Ibis DuckDB or PySpark backend to reuse (else one is opened).
    batch_schools: schools per batch (default BATCH_SCHOOLS); see the module docstring.
    Rows exist only where at least one pupil is in the KPI's population; they are sorted by
    kpi_code, level, scope_id, period and group.
    """
    run = _Run.create(
        store_root=store_root, trust_id=trust_id, academic_year=academic_year,
        school_hubs=school_hubs, terms=terms, backend=backend, as_of=as_of, kpis=kpis,
        connection=connection, batch_schools=batch_schools,
    )
    try:
        schools = [block for blocks in run.batches() for block in blocks]
        return run.table([*run.rollup_blocks(), *schools])
    finally:
        run.close()


def iter_kpis(**kwargs) -> Iterator[pa.Table]:
    """compute_kpis as a stream, for trusts too large to hold every row at once.

    Yields one table per batch of schools (that batch's school rows), then one table of the
    hub and trust rows. Each table is sorted; the concatenation holds exactly compute_kpis'
    rows (in another order). Takes compute_kpis' keyword arguments.
    """
    run = _Run.create(**kwargs)
    try:
        for blocks in run.batches():
            yield run.table(blocks)
        yield run.table(run.rollup_blocks())
    finally:
        run.close()


# ----------------------------------------------------------------------------------------
# Backends
# ----------------------------------------------------------------------------------------

# SQL types of the store columns, per backend.
_SQL_TYPES = {
    "duckdb": {"int64": "BIGINT", "int32": "INTEGER", "int16": "SMALLINT", "int8": "TINYINT",
               "string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "float64": "DOUBLE"},
    "pyspark": {"int64": "bigint", "int32": "int", "int16": "smallint", "int8": "tinyint",
                "string": "string", "date": "date", "boolean": "boolean", "float64": "double"},
}


class _Backend:
    """The only backend-specific code: opening, registering tables, running compiled SQL."""

    def __init__(self, kind: str, connection):
        if kind not in ("duckdb", "pyspark"):
            raise ValueError("backend must be 'duckdb' or 'pyspark'")
        self.kind = kind
        self._owned = connection is None
        self.con = connection if connection is not None else self._connect(kind)
        self._views: list[str] = []  # views over files
        self._registered: list[str] = []  # small arrow tables (DuckDB) / views (Spark)
        self._tables: list[str] = []  # materialised tables

    @staticmethod
    def _connect(kind: str):
        if kind == "duckdb":
            con = ibis.duckdb.connect()
            # Bounded memory (spills to a temp directory beyond it); insertion order is not
            # needed by any query here and costs memory in large materialisations.
            con.raw_sql(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            con.raw_sql("SET preserve_insertion_order = false")
            con.raw_sql(f"SET temp_directory = '{DUCKDB_TEMP_DIR}'")
            return con
        return ibis.pyspark.connect(spark_session())

    def compile(self, expr: ir.Table) -> str:
        return self.con.compile(expr)

    def register_files(self, name: str, files: list[str], base: Path,
                       columns: dict[str, str], schools: list[int] | None = None) -> None:
        """A view `name` over the files with exactly `columns` (cast to the contract's types;
        a cast to the same type is free), keeping only rows of `schools` when given (files
        that hold several schools). No files: an empty view of that schema."""
        types = _SQL_TYPES[self.kind]
        if self.kind == "duckdb":
            cols = ", ".join(f'CAST("{c}" AS {types[t]}) AS "{c}"' for c, t in columns.items())
            if files:
                listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                # Hive partitioning off: rows carry school_urn and academic_year themselves.
                src = f"read_parquet([{listed}], hive_partitioning = false)"
                sql = f"SELECT {cols} FROM {src}"
                if schools is not None:
                    sql += f" WHERE school_urn IN ({', '.join(str(int(u)) for u in schools)})"
            else:
                nulls = ", ".join(f'CAST(NULL AS {types[t]}) AS "{c}"'
                                  for c, t in columns.items())
                sql = f"SELECT {nulls} WHERE FALSE"
            self.con.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {sql}')
        else:
            session = self.con._session
            if files:
                df = session.read.option("basePath", str(base)).parquet(*files)
                if schools is not None:
                    df = df.where(df["school_urn"].isin([int(u) for u in schools]))
                df = df.selectExpr(*[f"CAST(`{c}` AS {types[t]}) AS `{c}`"
                                     for c, t in columns.items()])
            else:
                df = session.createDataFrame(
                    [], ", ".join(f"`{c}` {types[t]}" for c, t in columns.items()))
            df.createOrReplaceTempView(name)
        self._views.append(name)

    def register_table(self, name: str, table: pa.Table) -> None:
        """A small lookup table (a few rows) as a view `name`."""
        if self.kind == "duckdb":
            self.con.con.register(name, table)
        else:
            types = _SQL_TYPES["pyspark"]
            arrow_names = {pa.int8(): "int8", pa.int16(): "int16", pa.int32(): "int32",
                           pa.string(): "string", pa.date32(): "date", pa.bool_(): "boolean"}
            ddl = ", ".join(f"`{f.name}` {types[arrow_names[f.type]]}" for f in table.schema)
            df = self.con._session.createDataFrame(
                [tuple(r.values()) for r in table.to_pylist()], ddl)
            df.createOrReplaceTempView(name)
        self._registered.append(name)

    def materialize(self, name: str, sql: str) -> None:
        if self.kind == "duckdb":
            self.con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
        else:
            self.con._session.sql(f"CACHE TABLE `{name}` AS {sql}")
        self._tables.append(name)

    def query(self, sql: str, schema: pa.Schema) -> pa.Table:
        if self.kind == "duckdb":
            table = self.con.con.sql(sql).to_arrow_table()
        else:
            df = self.con._session.sql(sql)
            table = df.toArrow() if hasattr(df, "toArrow") else pa.Table.from_pandas(
                df.toPandas(), preserve_index=False)
        return table.select(schema.names).cast(schema)

    def drop_batch(self) -> None:
        """Drop this batch's tables and views (best effort; the connection may be closing)."""
        for name in self._tables:
            try:
                if self.kind == "duckdb":
                    self.con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
                else:
                    self.con._session.catalog.uncacheTable(name)
                    self.con._session.catalog.dropTempView(name)
            except Exception:  # noqa: BLE001
                pass
        for name in self._views + self._registered:
            try:
                if self.kind != "duckdb":
                    self.con._session.catalog.dropTempView(name)
                elif name in self._registered:
                    self.con.con.unregister(name)
                else:
                    self.con.con.execute(f'DROP VIEW IF EXISTS "{name}"')
            except Exception:  # noqa: BLE001
                pass
        self._tables.clear()
        self._views.clear()
        self._registered.clear()

    def close(self) -> None:
        self.drop_batch()
        if self._owned and self.kind == "duckdb":
            self.con.disconnect()


def spark_session():
    """A local Spark session sized for this machine (2 cores): few shuffle partitions."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("trustwide-kpis")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
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


def _plan(backend: _Backend, *, year: int, terms: tuple[Period, ...], as_of: date,
          kpis: tuple[d.KPI, ...]) -> _Plan:
    """The compiled plan for these parameters: cached per process (compiling with Ibis costs
    far more than running the small queries it produces), per family, so that e.g. the
    attendance-only refresh and the full refresh share their attendance SQL."""
    parts = [_cached((backend.kind, year), lambda p: p.chars_plan(backend.compile),
                     year, terms, as_of)]
    for family in d.FAMILIES:
        fam = tuple(k for k in kpis if k.family == family)
        if fam:
            parts.append(_cached(
                (backend.kind, year, terms, as_of, tuple(k.code for k in fam)),
                lambda p, fam=fam: p.family_plan(fam, backend.compile), year, terms, as_of))
    return _Plan(
        steps=tuple(s for p in parts for s in p.steps),
        lookups={r: t for p in parts for r, t in p.lookups.items()},
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
            "transition": self._transition_facts,
        }
        facts = builders[family]()
        expr, layout, periods, packed, in_units = _family_cells(facts, chars, list(kpis))
        step = _Step(family, None, compile_(expr), expr.schema().to_pyarrow(), tuple(layout),
                     tuple(periods), packed, in_units)
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

        spans = {i: (point(p.end), point(p.start - timedelta(days=1)))
                 for i, p in enumerate(self.periods) if p.start <= p.end}  # ytd may be empty
        weeks = set()  # the week columns those reads need
        for week, weekday in (at for span in spans.values() for at in span if at):
            weeks |= {week} if weekday == 6 or not week else {week, week - 1}
        w = self.read(derived.ATTENDANCE_WEEKS,
                      {derived.column(cls, week): "int64" for cls in classes for week in sorted(weeks)})

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
            "school_urn", "pupil_key",
            **{f"{cls}__{i}": (byte_sum(through(cls, spans[i][0]) - through(cls, spans[i][1]))
                               if i in spans else ibis.literal(0, type="int64"))
               for i in periods for cls in classes},
        )

        # Schools that export only summaries: the rows whose dates overlap the period.
        s = self.read("attendance_summaries")
        s = s.anti_join(w.select("school_urn").distinct(), "school_urn")
        overlap = {i: (s.period_start <= self.periods[i].end)
                   & (s.period_end >= self.periods[i].start) for i in periods}
        from_summaries = s.group_by(KEYS).agg(
            **{f"{cls}__{i}": s[cls].sum(where=overlap[i]).fill_null(0).cast("int64")
               for i in periods for cls in classes}
        )
        facts = ibis.union(from_marks, from_summaries, distinct=False)
        return _Facts(facts, tuple(
            (i, _PeriodFacts(facts, i), facts[f"possible__{i}"] > 0) for i in periods))

    # -- termly teacher assessment -------------------------------------------------------------

    def _assessment_facts(self) -> _Facts:
        # Per pupil, the band of each subject in each term (a pupil judged twice in one term
        # counts with the higher band): pivoted by the store (derived.assessment_bands).
        a = self.read(derived.ASSESSMENT_BANDS, {
            derived.band_column(s, t): "int8" for s in d.SUBJECTS for t in TERM_ORDER})
        bands = a.select(*KEYS, **{f"{s}_{t}": a[derived.band_column(s, t)].cast("int16")
                                   for s in d.SUBJECTS for t in TERM_ORDER})
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
        return _Facts(facts, tuple(
            (i, _PeriodFacts(facts, i), functools.reduce(
                operator.or_, [facts[f"{s}_latest__{i}"].notnull() for s in d.SUBJECTS]))
            for i in periods))

    # -- statutory and transition (the year only) -------------------------------------------

    def _year_only(self, facts: ir.Table) -> _Facts:
        return _Facts(facts, ((self.period_index["year"], _PeriodFacts(facts, None), None),))

    def _statutory_facts(self) -> _Facts:
        s = self.read("statutory")

        def num(measure):
            return s.value_num.max(where=s.measure == measure)

        def text(measure):
            return s.value_text.max(where=s.measure == measure)

        return self._year_only(s.group_by(KEYS).agg(
            gld=text("EYFS_GLD"),
            phonics=num("PHONICS_Y1"),
            phonics_n=s.count(where=s.measure == "PHONICS_Y1"),
            ks2_read=num("KS2_READ"),
            ks2_mat=num("KS2_MAT"),
            ks2_writ=text("KS2_WRIT_TA"),
            ks2_n=s.count(where=s.measure.isin(("KS2_READ", "KS2_MAT", "KS2_WRIT_TA"))),
            a8=num("KS4_ATT8"),
        ))

    def _transition_facts(self) -> _Facts:
        t = self.read("transitions")
        return self._year_only(t.group_by(KEYS).agg(
            leavers=t.count(), sustained=t.sustained.any()
        ))


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
    return literal(op, 1) or (isinstance(op, ops.IfElse) and literal(op.true_expr, 1)
                              and literal(op.false_null_expr, None))


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
                sums[f"n{i}__{period}"] = ibis.ifelse(counted, ibis.null("int64"), _summable(num, decimal))
                if decimal:
                    in_units.add(f"n{i}")
            total = f"s{dname}" if f"s{dname}__{period}" in sums else f"c{dname}"
            names.append((f"n{i}", total, f"c{dname}"))
        if layout is None:
            layout = names
        elif layout != names:
            raise AssertionError("a family's KPIs must share denominators the same way in every period")
    # The flags of each period, PACK_FIELDS to a column (the same packing in every period).
    order = list(next(iter(flags.values())))
    packed = tuple((f"p{j}", tuple(order[j * PACK_FIELDS:(j + 1) * PACK_FIELDS]))
                   for j in range((len(order) + PACK_FIELDS - 1) // PACK_FIELDS))
    cols = dict(sums)
    for period, mine in flags.items():
        for name, fields in packed:
            value = functools.reduce(operator.add, [
                mine[f] * (PACK_LIMIT ** slot) for slot, f in enumerate(fields)])
            cols[f"{name}__{period}"] = value.cast("float64")
    nd = t.select(*KEYS, **cols)
    j = nd.left_join(chars, KEYS).select(
        nd.school_urn, cell=chars.cell.fill_null(NO_CELL), **{c: nd[c] for c in cols})
    # Sums of no value are 0, not null, so the numpy side reads the columns as they are.
    aggs = {c: j[c].sum().fill_null(0) for c in cols}
    aggs["pupil_rows"] = j.count()  # for the packing's overflow check
    return (j.group_by("school_urn", "cell").agg(**aggs), layout,
            [period for period, _view, _present in facts.periods], packed, frozenset(in_units))


# ----------------------------------------------------------------------------------------
# A run: bind the plan to this trust's files, batch by batch; then groups, roll-up,
# suppression and gaps in numpy
# ----------------------------------------------------------------------------------------


@dataclass
class _Block:
    """Result rows of one KPI and level (or batch of schools), in sorted order."""

    kpi: int  # index into _Run.kpi_codes (sorted)
    level: int  # index into _LEVELS
    scope: np.ndarray  # index into _Run.scope_names
    period: np.ndarray  # index into _Run.period_names (sorted)
    group: np.ndarray  # index into _Run.group_names (sorted)
    value: np.ndarray
    value_null: np.ndarray
    numerator: np.ndarray
    count_null: np.ndarray  # numerator and denominator hidden
    denominator: np.ndarray
    pupils: np.ndarray
    suppressed: np.ndarray


def _unpacked(table: pa.Table, step: _Step, cols: list[str], rows: np.ndarray) -> np.ndarray:
    """The step's quantities for these rows of its cells table, unpacked: (periods x cols,
    rows), period-major, in row order."""
    field = {name: (packed, slot) for packed, names in step.packed for slot, name in enumerate(names)}
    values = np.empty((len(step.periods) * len(cols), len(rows)))
    cache: dict[str, np.ndarray] = {}
    for i, (p, c) in enumerate((p, c) for p in step.periods for c in cols):
        if c in field:
            packed, slot = field[c]
            key = f"{packed}__{p}"
            if key not in cache:
                cache[key] = table[key].to_numpy()[rows].astype(np.int64)  # exact below 2**53
            values[i] = (cache[key] >> (PACK_BITS * slot)) & (PACK_LIMIT - 1)
        else:
            values[i] = table[f"{c}__{p}"].to_numpy()[rows]
    return values


def _group_sums(school: np.ndarray, cell: np.ndarray, values: np.ndarray, n_schools: int,
                member: np.ndarray, chunk: int = 128) -> np.ndarray:
    """(schools, groups, columns) sums. `school` and `cell` are sorted by school; `values`
    (columns x rows) are in the same order. Each row (one school and cell code) counts in
    every group its cell is in: a stacked matrix product per chunk of schools,
    (groups x cells) @ (cells x columns), cells padded to the widest school of the chunk."""
    n_cols, n_groups = values.shape[0], member.shape[1]
    out = np.zeros((n_schools, n_groups, n_cols))
    if not len(school):
        return out
    starts = np.flatnonzero(np.r_[True, school[1:] != school[:-1]])
    seg = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(school)]))
    pos = np.arange(len(school)) - starts[seg]
    bounds = np.r_[starts, len(school)]
    for first in range(0, len(starts), chunk):
        last = min(first + chunk, len(starts))
        part = slice(bounds[first], bounds[last])
        local, at = seg[part] - first, pos[part]
        width = int(at.max()) + 1  # the widest school of this chunk (cells present)
        stacked = np.zeros((n_cols, last - first, width))
        stacked[:, local, at] = values[:, part]
        groups = np.zeros((last - first, width, n_groups))
        groups[local, at] = member[cell[part]]
        # (schools, groups, cells) @ (schools, cells, columns)
        out[school[starts[first:last]]] = np.matmul(groups.transpose(0, 2, 1),
                                                    stacked.transpose(1, 2, 0))
    return out


class _Run:
    @classmethod
    def create(cls, *, store_root, trust_id, academic_year, school_hubs, terms,
               backend="duckdb", as_of=None, kpis=None, connection=None, batch_schools=None):
        selected = d.engine_kpis(kpis)
        term_periods = normalise_terms(academic_year, terms)
        cut = resolve_as_of(academic_year, as_of)
        names = {"characteristics"} | {ds for k in selected for ds in FAMILY_DATASETS[k.family]}
        stale = AnalyticsStore(store_root).stale_derived(trust_id, academic_year, school_hubs,
                                                         names=sorted(names))
        if stale:
            raise StaleDerivedData(
                f"the store's shards of trust {trust_id}, {academic_year}/{academic_year + 1}, "
                f"are missing or older than the school files they come from {stale}; "
                "AnalyticsStore.ensure_derived rebuilds them (the KPI refresh calls it)")
        return cls(
            store_root=Path(store_root), trust_id=str(trust_id), academic_year=academic_year,
            school_hubs=school_hubs, terms=term_periods, as_of=cut, kpis=selected,
            backend=_Backend(backend, connection),
            batch_schools=batch_schools or BATCH_SCHOOLS,
        )

    def __init__(self, *, store_root, trust_id, academic_year, school_hubs, terms, as_of,
                 kpis, backend, batch_schools):
        self.root = store_root
        self.trust_id = trust_id
        self.year = academic_year
        self.terms: list[Period] = terms
        self.as_of = as_of
        self.backend = backend
        self.batch_schools = max(1, int(batch_schools))
        self.periods = build_periods(academic_year=academic_year, terms=terms, as_of=as_of)
        self.kpis = sorted(kpis, key=lambda k: k.code)  # the result's order
        self.kpi_codes = [k.code for k in self.kpis]

        # Scopes in result order: hubs, schools, the trust; each sorted as text.
        urns = sorted({int(u) for u in school_hubs}, key=str)
        hub_of = {int(u): (None if h is None else str(h)) for u, h in school_hubs.items()}
        hubs = sorted({h for h in hub_of.values() if h is not None})
        self.scope_names = pa.array([*hubs, *map(str, urns), self.trust_id], pa.string())
        self.school_offset = len(hubs)
        self.urns = urns  # in text order: batches and school rows follow it
        hub_index = {h: i for i, h in enumerate(hubs)}
        self.school_hub = np.array([hub_index.get(hub_of[u], -1) for u in urns], np.int64)
        self.n_hubs = len(hubs)

        # Periods and groups: computed in build order, emitted in text order.
        names = [p.code for p in self.periods]
        self.period_perm = np.array(sorted(range(len(names)), key=lambda i: names[i]))
        self.period_names = pa.array([names[i] for i in self.period_perm], pa.string())
        all_groups = [*GROUPS, *d.GAPS]
        self.group_perm = np.array(sorted(range(len(all_groups)), key=lambda i: all_groups[i]))
        self.group_names = pa.array([all_groups[i] for i in self.group_perm], pa.string())
        self.gaps = [(GROUPS.index(a), GROUPS.index(b)) for a, b in d.GAPS.values()]

        self.plan = _plan(backend, year=academic_year, terms=tuple(terms), as_of=as_of,
                          kpis=tuple(d.engine_kpis(self.kpi_codes)))
        # Hub and trust sums, per family: (hubs or 1, periods, groups, value columns).
        self.hub_sums: dict[str, np.ndarray] = {}
        self.trust_sums: dict[str, np.ndarray] = {}
        self.columns: dict[str, list[str]] = {}
        # Per family, what each column's sums are divided by (SUM_UNITS or 1) at the end.
        self.units: dict[str, np.ndarray] = {}
        self.store = AnalyticsStore(store_root)

    def close(self) -> None:
        self.backend.close()

    # -- the backend's part, batch by batch ---------------------------------------------------

    def files(self, dataset: str, urns: list[int]) -> list[str]:
        """The store's shard files of `dataset` holding these schools (trustwide.data.derived:
        a few files per batch, not one per school)."""
        return self.store.shard_paths(dataset, self.trust_id, urns, self.year)

    def batch_slices(self) -> list[slice]:
        """Consecutive runs of self.urns of at most batch_schools schools, cut where a shard
        of the derived attendance counts ends when possible, so a shard is read once."""
        out, start = [], 0
        n = len(self.urns)
        while start < n:
            end = min(start + self.batch_schools, n)
            if end < n:
                # Back off to the last shard boundary inside the batch, if there is one.
                cut = end
                while cut > start + 1 and (derived.shard_of(self.urns[cut - 1])
                                           == derived.shard_of(self.urns[cut])):
                    cut -= 1
                if cut > start + 1:
                    end = cut
            out.append(slice(start, end))
            start = end
        return out

    def batches(self) -> Iterator[list[_Block]]:
        """Run the plan for each batch of schools; yield the batch's school-level blocks."""
        for batch in self.batch_slices():
            cells = self._run_batch(self.urns[batch])
            yield self._school_level(batch, cells)

    def _run_batch(self, urns: list[int]) -> dict[str, pa.Table]:
        be = self.backend
        run = uuid.uuid4().hex[:12]
        names = {}

        def bind(sql: str) -> str:
            return _PLACEHOLDER.sub(lambda m: names[m.group(1)], sql)

        for dataset, columns in self.plan.datasets.items():
            names[dataset] = f"kpi_{dataset}_{run}"
            # A shard holds other schools of the trust too: keep the batch's.
            be.register_files(names[dataset], self.files(dataset, urns),
                              self.root / derived.SHARDS_DIR / dataset, columns, schools=urns)
        for role, table in self.plan.lookups.items():
            names[role] = f"kpi_{role}_{run}"
            be.register_table(names[role], table)
        cells = {}
        try:
            for step in self.plan.steps:
                if step.materialize:
                    names[step.materialize] = f"kpi_{step.materialize}_{run}"
                    be.materialize(names[step.materialize], bind(step.sql))
                else:
                    cells[step.family] = (be.query(bind(step.sql), step.schema), step)
        finally:
            be.drop_batch()
        return cells

    # -- numpy: groups, roll-up, suppression, gaps -------------------------------------------

    def _school_level(self, batch: slice, cells: dict) -> list[_Block]:
        urns = self.urns[batch]
        n_s, n_p = len(urns), len(self.periods)
        order = np.argsort(np.array(urns, np.int64))
        urn_sorted = np.array(urns, np.int64)[order]
        member = membership().astype(np.float64)
        blocks = []
        for family, (table, step) in cells.items():
            cols = sorted({c for trio in step.layout for c in trio})
            self.columns[family] = cols
            self.units[family] = np.array([SUM_UNITS if c in step.in_units else 1 for c in cols], np.float64)
            periods = np.array(step.periods, np.int64)
            sums = np.zeros((n_s, n_p, len(GROUPS), len(cols)))
            if table.num_rows:
                urn = table["school_urn"].to_numpy()
                pos = np.minimum(np.searchsorted(urn_sorted, urn), len(urn_sorted) - 1)
                # The views keep only the batch's schools (shards hold others too; rows filed
                # under another school's URN never reach a shard): this is a safety net.
                ok = urn_sorted[pos] == urn
                school = order[pos[ok]]
                cell = table["cell"].to_numpy()[ok].astype(np.int64)
                # Each (school, cell) row adds to every group its cell code is in: per school,
                # (groups x cells) @ (cells x periods.columns), as one stacked matrix product
                # over schools. Rows are taken in school and cell order, so float sums do not
                # depend on the backend's row order (sorting here is cheaper than ORDER BY).
                by = np.lexsort((cell, school))
                school, cell, rows = school[by], cell[by], np.flatnonzero(ok)[by]
                if len(rows) and table["pupil_rows"].to_numpy()[rows].max() >= PACK_LIMIT:
                    raise ValueError("a school has 65,536 or more pupils in one cell")
                values = _unpacked(table, step, cols, rows)
                sums[:, periods] = _group_sums(school, cell, values, n_s, member).reshape(
                    n_s, len(GROUPS), len(periods), len(cols)).transpose(0, 2, 1, 3)
            self._accumulate(family, batch, sums)
            offset = self.school_offset + batch.start
            blocks += self._blocks(family, "school", sums, offset)
        return blocks

    def _accumulate(self, family: str, batch: slice, sums: np.ndarray) -> None:
        if family not in self.trust_sums:
            self.hub_sums[family] = np.zeros((self.n_hubs, *sums.shape[1:]))
            self.trust_sums[family] = np.zeros((1, *sums.shape[1:]))
        hub = self.school_hub[batch]
        has = np.flatnonzero(hub >= 0)
        if len(has):
            by_hub = has[np.argsort(hub[has], kind="stable")]
            starts = np.flatnonzero(np.r_[True, np.diff(hub[by_hub]) != 0])
            self.hub_sums[family][hub[by_hub[starts]]] += np.add.reduceat(sums[by_hub], starts, axis=0)
        self.trust_sums[family] += sums.sum(axis=0, keepdims=True)

    def rollup_blocks(self) -> list[_Block]:
        blocks = []
        for family in self.trust_sums:
            blocks += self._blocks(family, "hub", self.hub_sums[family], 0)
            blocks += self._blocks(family, "trust", self.trust_sums[family],
                                   len(self.scope_names) - 1)
        return blocks

    def _blocks(self, family: str, level: str, sums: np.ndarray, scope_offset: int):
        """One block per KPI of the family from (scopes, periods, groups, columns) sums.

        The rows are found first (every KPI x scope x period x group with at least one pupil,
        and the gap groups where both groups have pupils), in result order; values, ratings of
        size and suppression are then computed for those rows only."""
        cols = {c: i for i, c in enumerate(self.columns[family])}
        fam = [k for k in d.engine_kpis(self.kpi_codes) if k.family == family]
        layout = self._layout(family)
        # The sums so far are exact integers (any order gives the same); one division each.
        sums = sums / self.units[family]
        n_sc, n_p, n_g, n_c = sums.shape
        ni, si, ci = (np.array([cols[trio[j]] for trio in layout]) for j in range(3))
        ga = np.array([a for a, _b in self.gaps])
        gb = np.array([b for _a, b in self.gaps])

        present = sums[..., ci] > 0  # (scopes, periods, groups, KPIs)
        present = np.concatenate([present, present[:, :, ga] & present[:, :, gb]], axis=2)
        order = present.transpose(3, 0, 1, 2)[:, :, self.period_perm][:, :, :, self.group_perm]
        kpi, scope, p_out, g_out = np.unravel_index(np.flatnonzero(order), order.shape)
        period = self.period_perm[p_out]
        group = self.group_perm[g_out]  # >= n_g: a gap group

        flat = sums.reshape(-1)
        base = (scope * n_p + period) * n_g

        def quantities(rows, groups):
            k = kpi[rows]
            at = (base[rows] + groups) * n_c
            num, den, cnt = flat[at + ni[k]], flat[at + si[k]], flat[at + ci[k]]
            sup = cnt < mins[k]
            with np.errstate(divide="ignore", invalid="ignore"):
                value = num / den * scales[k]
            return num, den, cnt, sup, sup | (den == 0), value

        mins = np.array([k.min_group_size for k in fam])
        scales = np.array([k.scale for k in fam])
        n = len(kpi)
        gap = group >= n_g
        plain = np.flatnonzero(~gap)
        num, den, cnt, sup, bad, value = (np.zeros(n), np.zeros(n), np.zeros(n),
                                          np.ones(n, bool), np.ones(n, bool), np.zeros(n))
        hidden = np.ones(n, bool)
        (num[plain], den[plain], cnt[plain], sup[plain], bad[plain],
         value[plain]) = quantities(plain, group[plain])
        hidden[plain] = sup[plain]
        gaps = np.flatnonzero(gap)
        if len(gaps):
            which = group[gaps] - n_g
            _n, _d, cnt_a, sup_a, bad_a, val_a = quantities(gaps, ga[which])
            _n, _d, cnt_b, sup_b, bad_b, val_b = quantities(gaps, gb[which])
            value[gaps] = val_a - val_b
            bad[gaps] = bad_a | bad_b
            cnt[gaps] = cnt_a + cnt_b
            sup[gaps] = sup_a | sup_b
        bounds = np.searchsorted(kpi, np.arange(len(fam) + 1))
        out = []
        for j, k in enumerate(fam):
            part = slice(bounds[j], bounds[j + 1])
            out.append(_Block(
                kpi=self.kpi_codes.index(k.code), level=_LEVELS.index(level),
                scope=scope[part] + scope_offset, period=p_out[part], group=g_out[part],
                value=value[part], value_null=bad[part], numerator=num[part],
                denominator=den[part], count_null=hidden[part],
                pupils=cnt[part].astype(np.int64), suppressed=sup[part],
            ))
        return out

    def _layout(self, family: str):
        return next(s.layout for s in self.plan.steps if s.family == family and s.schema)

    def table(self, blocks: list[_Block]) -> pa.Table:
        """Blocks -> a RESULT_SCHEMA table, sorted (blocks are ordered by KPI and level; the
        rows within a block are already in scope, period, group order)."""
        if not blocks:
            return RESULT_SCHEMA.empty_table()
        blocks = sorted(blocks, key=lambda b: (b.kpi, b.level))  # stable: batch order kept

        def cat(attr, dtype=None):
            parts = [getattr(b, attr) for b in blocks]
            out = np.concatenate(parts)
            return out if dtype is None else out.astype(dtype)

        sizes = [len(b.scope) for b in blocks]
        kpi = np.repeat([b.kpi for b in blocks], sizes)
        level = np.repeat([b.level for b in blocks], sizes)
        count_null = cat("count_null")
        return pa.table({
            "kpi_code": pa.array(self.kpi_codes, pa.string()).take(kpi),
            "level": pa.array(_LEVELS, pa.string()).take(level),
            "scope_id": self.scope_names.take(cat("scope")),
            "period": self.period_names.take(cat("period")),
            "group": self.group_names.take(cat("group")),
            "value": pa.array(cat("value"), pa.float64(), mask=cat("value_null")),
            "numerator": pa.array(cat("numerator"), pa.float64(), mask=count_null),
            "denominator": pa.array(cat("denominator"), pa.float64(), mask=count_null),
            "pupils": pa.array(cat("pupils"), pa.int64()),
            "suppressed": pa.array(cat("suppressed"), pa.bool_()),
        }, schema=RESULT_SCHEMA)


# ----------------------------------------------------------------------------------------
# Teaching quality (app-database records, pure Python)
# ----------------------------------------------------------------------------------------


def teaching_at_least_good(
    judgements: Iterable[tuple[int, int | str | None, date, bool]],
    *,
    trust_id: int | str,
    academic_year: int,
    terms: Iterable[tuple[str, date, date]],
    as_of: date | None = None,
) -> pa.Table:
    """'% of teaching at least good' from (school_urn, hub_id, date, good_or_better) records.

    Same row shape as compute_kpis (group 'all'; 'pupils' = number of judgements). Records
    outside the academic year are ignored.
    """
    kpi = d.TEACHING
    term_periods = normalise_terms(academic_year, terms)
    cut = resolve_as_of(academic_year, as_of)
    periods = build_periods(academic_year=academic_year, terms=term_periods, as_of=cut)
    y0, y1 = year_bounds(academic_year)
    counts: dict[tuple[str, str, str], list[int]] = {}
    for urn, hub, when, good in judgements:
        if not (y0 <= when <= y1):
            continue
        scopes = [("school", str(int(urn))), ("trust", str(trust_id))]
        if hub is not None:
            scopes.append(("hub", str(hub)))
        for p in periods:
            if p.start <= when <= p.end:
                for level, scope in scopes:
                    c = counts.setdefault((level, scope, p.code), [0, 0])
                    c[0] += 1 if good else 0
                    c[1] += 1
    rows = {n: [] for n in RESULT_SCHEMA.names}
    for (level, scope, period), (good_n, n) in sorted(counts.items()):
        sup = n < kpi.min_group_size
        for key, val in (
            ("kpi_code", kpi.code), ("level", level), ("scope_id", scope), ("period", period),
            ("group", "all"), ("value", None if sup else good_n / n * 100.0),
            ("numerator", None if sup else float(good_n)),
            ("denominator", None if sup else float(n)), ("pupils", n), ("suppressed", sup),
        ):
            rows[key].append(val)
    return pa.table(rows, schema=RESULT_SCHEMA)
