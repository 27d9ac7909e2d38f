"""Compute every KPI, group and period for one trust and academic year from the store.

Written once as Ibis expressions; runs on DuckDB (default) or PySpark unchanged.

How it is fast:

- Attendance marks are scanned ONCE and reduced to per-pupil session counts per year segment
  (term or outside any term, on/before as_of or after), with each mark's class found by an
  integer lookup on its code's first character. Every period is a sum of segments on that
  small table. The per-pupil segment table is materialised in the backend (DuckDB temp table,
  Spark cached table) so the planner cannot inline and re-run the scan.
- A pupil's characteristics are packed into one small integer (groups.cell_code), so each
  family's per-pupil facts are summed per cell (school, period, cell code) in one narrow
  GROUP BY for all its KPIs; periods are small integers too, never strings.
- The expressions are built over placeholder table names and compiled to SQL once per
  (backend, year, terms, as_of, KPI selection), then cached: a refresh only binds the
  placeholders to this run's tables and executes the SQL (Ibis compilation costs 0.1-0.5 s a
  family; it is paid once per process and per set of parameters).
- Groups, roll-up (school -> hub -> trust), suppression and gaps run in numpy on the small cell
  table, identical for every backend: every group is a union of cells and every KPI a ratio of
  sums, so the groups are dense sums over a cell x group membership matrix, and the result
  rows are produced already in sorted order (no sort).

Roll-up: KPIs are ratios of sums over pupils, so hub and trust rows sum the school rows'
numerators, denominators and pupil counts: the same pupil-level facts, not averages of
school rates. Pupils are counted per enrolment, as DfE does.

Streaming: schools are processed in batches of at most ``batch_schools`` (default
BATCH_SCHOOLS); each batch reads only its schools' files, and hub and trust sums accumulate
across batches, so the backend's memory is bounded by the largest batch whatever the trust's
size. ``iter_kpis`` yields each batch's school rows as soon as they are ready (and the hub
and trust rows last) for callers that write them out incrementally; ``compute_kpis`` returns
everything as one sorted table.
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
from datetime import date
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from trustwide.kpis import definitions as d
from trustwide.kpis.groups import GROUPS, NO_CELL, cell_code, membership
from trustwide.kpis.periods import (
    TERM_ORDER,
    Period,
    assessment_terms,
    build_periods,
    mark_buckets,
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
    "attendance_marks": {
        "school_urn": "int32", "pupil_key": "string", "date": "date", "code": "string",
    },
    "attendance_summaries": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "period_start": "date", "period_end": "date", "possible": "int32", "present": "int32",
        "authorised": "int32", "unauthorised": "int32",
    },
    "assessments": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "term": "string", "subject": "string", "judgement": "string",
    },
    "statutory": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "measure": "string", "value_num": "float64", "value_text": "string",
    },
    "transitions": {
        "school_urn": "int32", "academic_year": "int16", "pupil_key": "string",
        "sustained": "boolean",
    },
}
FAMILY_DATASETS = {
    "attendance": ("attendance_marks", "attendance_summaries"),
    "assessment": ("assessments",),
    "statutory": ("statutory",),
    "transition": ("transitions",),
}

# Per-pupil facts are keyed by school, pupil and period (the index of the period in
# periods.build_periods: an int8, not a string).
KEYS = ["school_urn", "pupil_key", "period"]

# Schools per batch: ~500 schools is 150,000-300,000 pupils and 60-110 million marks, a few
# hundred MB in DuckDB's hash tables; a trust of that size or smaller runs in one batch.
BATCH_SCHOOLS = 500
# DuckDB limits for connections the engine opens itself (a 4 GB budget for the whole process).
DUCKDB_MEMORY_LIMIT = os.environ.get("TRUSTWIDE_KPI_DUCKDB_MEMORY", "2.5GB")
# Where DuckDB spills beyond that limit (its default is a .tmp folder in the working directory).
DUCKDB_TEMP_DIR = os.environ.get(
    "TRUSTWIDE_KPI_DUCKDB_TEMP", os.path.join(tempfile.gettempdir(), "trustwide-duckdb")
)

_LEVELS = ("hub", "school", "trust")  # sorted, as the result is


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
    "duckdb": {"int32": "INTEGER", "int16": "SMALLINT", "int8": "TINYINT",
               "string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "float64": "DOUBLE"},
    "pyspark": {"int32": "int", "int16": "smallint", "int8": "tinyint", "string": "string",
                "date": "date", "boolean": "boolean", "float64": "double"},
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
                       columns: dict[str, str]) -> None:
        """A view `name` over the files with exactly `columns` (cast to the contract's types;
        a cast to the same type is free). No files: an empty view of that schema."""
        types = _SQL_TYPES[self.kind]
        if self.kind == "duckdb":
            cols = ", ".join(f'CAST("{c}" AS {types[t]}) AS "{c}"' for c, t in columns.items())
            if files:
                listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                # Hive partitioning off: rows carry school_urn and academic_year themselves.
                src = f"read_parquet([{listed}], hive_partitioning = false)"
                sql = f"SELECT {cols} FROM {src}"
            else:
                nulls = ", ".join(f'CAST(NULL AS {types[t]}) AS "{c}"'
                                  for c, t in columns.items())
                sql = f"SELECT {nulls} WHERE FALSE"
            self.con.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {sql}')
        else:
            session = self.con._session
            if files:
                df = session.read.option("basePath", str(base)).parquet(*files)
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
    layout: tuple[tuple[str, str, str], ...] = ()  # per KPI: numerator, den sum, den count


@dataclass(frozen=True)
class _Plan:
    steps: tuple[_Step, ...]
    lookups: dict[str, pa.Table]  # small tables bound per run (seg -> period etc.)
    datasets: tuple[str, ...]


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
        datasets=tuple(ds for p in parts for ds in p.datasets),
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


class _Planner:
    def __init__(self, *, year: int, terms: list[Period], as_of: date):
        self.year = year
        self.terms = terms
        self.as_of = as_of
        self.periods = build_periods(academic_year=year, terms=terms, as_of=as_of)
        self.period_index = {p.code: i for i, p in enumerate(self.periods)}
        self.lookups: dict[str, pa.Table] = {}

    def read(self, dataset: str) -> ir.Table:
        cols = STORE_COLUMNS[dataset]
        t = _table(dataset, cols)
        if "academic_year" in cols:  # small datasets: cheap belt-and-braces filter
            t = t.filter(t.academic_year == self.year)
        return t

    def lookup(self, role: str, table: pa.Table) -> ir.Table:
        self.lookups[role] = table
        return _table(role, ibis.Schema.from_pyarrow(table.schema))

    def chars_plan(self, compile_) -> _Plan:
        chars = self._characteristics()
        return _Plan((_Step("", "chars", compile_(chars), None),), {}, ("characteristics",))

    def family_plan(self, kpis: tuple[d.KPI, ...], compile_) -> _Plan:
        """Steps of one family: tables to materialise, then the query of its cells."""
        family = kpis[0].family
        chars = _table("chars", self._characteristics().schema())
        builders = {
            "attendance": self._attendance_facts,
            "assessment": self._assessment_facts,
            "statutory": self._statutory_facts,
            "transition": self._transition_facts,
        }
        facts, pre = builders[family]()
        steps = [_Step(family, role, compile_(expr), None) for role, expr in pre]
        expr, layout = _family_cells(facts, chars, list(kpis))
        steps.append(_Step(family, None, compile_(expr), expr.schema().to_pyarrow(),
                           tuple(layout)))
        return _Plan(tuple(steps), dict(self.lookups), FAMILY_DATASETS[family])

    def _characteristics(self) -> ir.Table:
        c = self.read("characteristics")
        # One row per pupil and school is expected; if a re-import left more, pick one so a
        # pupil is never counted twice in a group.
        one = c.group_by("school_urn", "pupil_key").agg(
            **{col: c[col].arbitrary() for col in
               ("year_group", "sex", "disadvantaged", "sen", "eal")}
        )
        return one.select("school_urn", "pupil_key", cell=cell_code(one))

    def _period(self, code: str) -> ir.Value:
        return ibis.literal(self.period_index[code], type="int8")

    # -- attendance --------------------------------------------------------------------------

    def _attendance_facts(self):
        m = self.read("attendance_marks")
        # Class of each mark from the first character of its code (see definitions.CODE_CLASS):
        # an integer lookup is several times cheaper than string IN-lists over every mark.
        first = ibis.least(m.code.ascii_str(), 127)
        cls = ibis.literal(list(d.CODE_CLASS_BY_ASCII), type="array<int8>")[first]
        # Segment of the year: term index (or outside every term) x on/before as_of.
        if self.terms:
            term = ibis.cases(
                *[(m.date.between(p.start, p.end), i + 1) for i, p in enumerate(self.terms)],
                else_=0,
            )
        else:
            term = ibis.literal(0)
        seg = (term * 2 + (m.date <= ibis.literal(self.as_of)).cast("int8")).cast("int8")
        # The one scan of the marks: per pupil, school and segment, the session counts.
        scan_expr = (
            m.select("school_urn", "pupil_key", seg=seg, cls=cls)
            .group_by("school_urn", "pupil_key", "seg")
            .agg(
                possible=ibis._.count(where=ibis._.cls <= d.CLASS_UNAUTHORISED),
                authorised=ibis._.count(where=ibis._.cls == d.CLASS_AUTHORISED),
                unauthorised=ibis._.count(where=ibis._.cls == d.CLASS_UNAUTHORISED),
            )
        )
        scan = _table("scan", scan_expr.schema())
        classes = ("possible", "authorised", "unauthorised")
        # Periods are sums of segments, computed on the small per-segment table.
        seg_rows = [((i + 1) * 2 + int(pre), self.period_index[period])
                    for i, pre, period in mark_buckets(self.terms)]
        mapping = self.lookup("segments", pa.table({
            "seg": pa.array([r[0] for r in seg_rows], pa.int8()),
            "period": pa.array([r[1] for r in seg_rows], pa.int8()),
        }))
        j = scan.inner_join(mapping, "seg")
        from_marks = j.group_by(KEYS).agg(**{c: j[c].sum().cast("int64") for c in classes})

        # Schools that export only summaries: use the rows whose dates overlap the period.
        s = self.read("attendance_summaries")
        s = s.anti_join(scan.select("school_urn").distinct(), "school_urn")
        pt = self.lookup("periods", pa.table({
            "period": pa.array(range(len(self.periods)), pa.int8()),
            "p_start": pa.array([p.start for p in self.periods], pa.date32()),
            "p_end": pa.array([p.end for p in self.periods], pa.date32()),
        }))
        sj = s.inner_join(pt, [s.period_start <= pt.p_end, s.period_end >= pt.p_start])
        from_summaries = sj.group_by(KEYS).agg(
            **{c: sj[c].sum().cast("int64") for c in classes}
        )
        facts = ibis.union(from_marks, from_summaries, distinct=False)
        return facts.filter(facts.possible > 0), [("scan", scan_expr)]

    # -- termly teacher assessment -------------------------------------------------------------

    def _assessment_facts(self):
        a = self.read("assessments")
        a = a.filter(
            a.judgement.isin(tuple(d.BANDS)), a.subject.isin(d.SUBJECTS),
            a.term.isin(tuple(TERM_ORDER)),
        )
        band = ibis.cases(*[(a.judgement == j, b) for j, b in d.BANDS.items()]).cast("int16")
        # First, per pupil and term, the band of each subject (a pupil judged twice in one
        # term counts with the higher band): one row per pupil and term, so the join to the
        # periods below multiplies 3x fewer rows than one row per subject would.
        per_term = a.group_by("school_urn", "pupil_key", "term").agg(
            **{s: band.max(where=a.subject == s) for s in d.SUBJECTS}
        )
        order = ibis.cases(
            *[(per_term.term == t, o) for t, o in TERM_ORDER.items()]
        ).cast("int16")
        rows = assessment_terms(self.terms, self.as_of)
        tp = self.lookup("terms", pa.table({
            "term": pa.array([r[0] for r in rows], pa.string()),
            "period": pa.array([self.period_index[r[1]] for r in rows], pa.int8()),
            "inside": pa.array([r[2] for r in rows], pa.bool_()),
        }))
        # Term and band packed in one integer, so "the band of the latest term" is a plain
        # max() (and "the first") a plain min(): arg_max/arg_min cost several times more.
        keyed = per_term.select(
            "school_urn", "pupil_key", "term",
            **{f"{s}__lk": order * 4 + per_term[s] for s in d.SUBJECTS},
            **{f"{s}__fk": order * 4 + (3 - per_term[s]) for s in d.SUBJECTS},
        )
        j = keyed.inner_join(tp, "term")
        aggs = {}
        for s in d.SUBJECTS:
            # starting point: the first judgement up to the end of the period (for pupils
            # with a later judgement this is their first judgement of the year)
            aggs[f"{s}__fk"] = j[f"{s}__fk"].min()
            aggs[f"{s}__lk"] = j[f"{s}__lk"].max(where=j.inside)
        w = j.group_by(KEYS).agg(**aggs)
        cols = {}
        for s in d.SUBJECTS:
            lk, fk = w[f"{s}__lk"], w[f"{s}__fk"]
            cols[f"{s}_latest"] = lk % 4
            cols[f"{s}_latest_order"] = lk // 4
            cols[f"{s}_first"] = 3 - fk % 4
            cols[f"{s}_first_order"] = fk // 4
        has_any = functools.reduce(operator.or_, [w[f"{s}__lk"].notnull() for s in d.SUBJECTS])
        return w.filter(has_any).select(*KEYS, **cols), []

    # -- statutory and transition ------------------------------------------------------------

    def _statutory_facts(self):
        s = self.read("statutory")

        def num(measure):
            return s.value_num.max(where=s.measure == measure)

        def text(measure):
            return s.value_text.max(where=s.measure == measure)

        facts = s.group_by("school_urn", "pupil_key").agg(
            gld=text("EYFS_GLD"),
            phonics=num("PHONICS_Y1"),
            phonics_n=s.count(where=s.measure == "PHONICS_Y1"),
            ks2_read=num("KS2_READ"),
            ks2_mat=num("KS2_MAT"),
            ks2_writ=text("KS2_WRIT_TA"),
            ks2_n=s.count(where=s.measure.isin(("KS2_READ", "KS2_MAT", "KS2_WRIT_TA"))),
            a8=num("KS4_ATT8"),
        )
        return facts.mutate(period=self._period("year")), []

    def _transition_facts(self):
        t = self.read("transitions")
        facts = t.group_by("school_urn", "pupil_key").agg(
            leavers=t.count(), sustained=t.sustained.any()
        )
        return facts.mutate(period=self._period("year")), []


def _family_cells(facts: ir.Table, chars: ir.Table, kpis: list[d.KPI]):
    """Per-pupil facts -> sums per cell: (school_urn, period, cell code). Every group is a
    union of cells and every KPI a ratio of sums, so the groups are added up from this small
    table afterwards (in numpy) instead of joining every pupil to each of its ~6 groups. One
    pass over the facts for all the family's KPIs.

    Returns the expression and, per KPI, the (numerator, denominator, count) column names;
    identical denominators (e.g. % expected and % greater depth) share columns.
    """
    cols: dict[str, ir.Value] = {}
    seen: dict[object, str] = {}
    layout = []
    for i, k in enumerate(kpis):
        num, den = k.measure(facts)
        den = den.cast("float64")
        key = den.op()
        if key not in seen:
            seen[key] = f"d{len(seen)}"
            cols[seen[key]] = den
        dname = seen[key]
        cols[f"n{i}"] = ibis.ifelse(den.isnull(), ibis.null("float64"), num.cast("float64"))
        layout.append((f"n{i}", f"s{dname}", f"c{dname}"))
    nd = facts.select(*KEYS, **cols)
    j = nd.left_join(chars, ["school_urn", "pupil_key"]).select(
        nd.school_urn, nd.period, chars.cell, *[nd[c] for c in cols],
    )
    aggs = {}
    for name in cols:
        if name.startswith("n"):
            aggs[name] = j[name].sum()
        else:
            aggs[f"s{name}"] = j[name].sum()
            aggs[f"c{name}"] = j[name].count()
    return j.group_by("school_urn", "period", "cell").agg(**aggs), layout


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


class _Run:
    @classmethod
    def create(cls, *, store_root, trust_id, academic_year, school_hubs, terms,
               backend="duckdb", as_of=None, kpis=None, connection=None, batch_schools=None):
        selected = d.engine_kpis(kpis)
        term_periods = normalise_terms(academic_year, terms)
        cut = resolve_as_of(academic_year, as_of)
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

    def close(self) -> None:
        self.backend.close()

    # -- the backend's part, batch by batch ---------------------------------------------------

    def files(self, dataset: str, urns: list[int]) -> list[str]:
        """Every *.parquet file of these schools' partitions of the year (os.walk: several
        times faster than Path.rglob over thousands of partitions)."""
        base = self.root / dataset / f"trust={self.trust_id}"
        out = []
        for urn in sorted(urns):
            found = []
            for folder, _dirs, names in os.walk(base / f"school={urn}" / f"year={self.year}"):
                found += [os.path.join(folder, n) for n in names if n.endswith(".parquet")]
            out += sorted(found)
        return out

    def batches(self) -> Iterator[list[_Block]]:
        """Run the plan for each batch of schools; yield the batch's school-level blocks."""
        for start in range(0, len(self.urns), self.batch_schools):
            batch = slice(start, start + self.batch_schools)
            cells = self._run_batch(self.urns[batch])
            yield self._school_level(batch, cells)

    def _run_batch(self, urns: list[int]) -> dict[str, pa.Table]:
        be = self.backend
        run = uuid.uuid4().hex[:12]
        names = {}

        def bind(sql: str) -> str:
            return _PLACEHOLDER.sub(lambda m: names[m.group(1)], sql)

        for dataset in self.plan.datasets:
            names[dataset] = f"kpi_{dataset}_{run}"
            be.register_files(names[dataset], self.files(dataset, urns), self.root / dataset,
                              STORE_COLUMNS[dataset])
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
                    cells[step.family] = (be.query(bind(step.sql), step.schema), step.layout)
        finally:
            be.drop_batch()
        return cells

    # -- numpy: groups, roll-up, suppression, gaps -------------------------------------------

    def _school_level(self, batch: slice, cells: dict) -> list[_Block]:
        urns = self.urns[batch]
        n_s, n_p = len(urns), len(self.periods)
        order = np.argsort(np.array(urns, np.int64))
        urn_sorted = np.array(urns, np.int64)[order]
        member = membership()
        blocks = []
        for family, (table, layout) in cells.items():
            cols = sorted({c for trio in layout for c in trio})
            self.columns[family] = cols
            sums = np.zeros((n_s * n_p, len(GROUPS), len(cols)))
            if table.num_rows:
                urn = table["school_urn"].to_numpy()
                pos = np.minimum(np.searchsorted(urn_sorted, urn), len(urn_sorted) - 1)
                # Rows carry their school's URN (docs/DATA.md); a row filed under another
                # school's partition is not one of this batch's schools and is left out.
                ok = urn_sorted[pos] == urn
                school = order[pos[ok]]
                key = school.astype(np.int64) * n_p + table["period"].to_numpy()[ok]
                cell = table["cell"].fill_null(NO_CELL).to_numpy()[ok].astype(np.int64)
                values = np.column_stack([
                    table[c].fill_null(0).to_numpy()[ok].astype(np.float64) for c in cols])
                # Sum cells into (school, period) x group: each row is added to every group
                # its cell code is in (about 6), one bincount per column. Rows are first
                # sorted by key and cell so float sums do not depend on the backend's order.
                rows = np.lexsort((cell, key))
                row, group = np.nonzero(member[cell[rows]])
                row = rows[row]
                target = key[row] * len(GROUPS) + group
                size = n_s * n_p * len(GROUPS)
                for i in range(len(cols)):
                    sums[..., i] = np.bincount(target, weights=values[row, i],
                                               minlength=size).reshape(n_s * n_p, len(GROUPS))
            sums = sums.reshape(n_s, n_p, len(GROUPS), len(cols))
            self._accumulate(family, batch, sums)
            offset = self.school_offset + batch.start
            blocks += self._blocks(family, "school", sums, offset)
        return blocks

    def _accumulate(self, family: str, batch: slice, sums: np.ndarray) -> None:
        if family not in self.trust_sums:
            self.hub_sums[family] = np.zeros((self.n_hubs, *sums.shape[1:]))
            self.trust_sums[family] = np.zeros((1, *sums.shape[1:]))
        hub = self.school_hub[batch]
        has = hub >= 0
        np.add.at(self.hub_sums[family], hub[has], sums[has])
        self.trust_sums[family] += sums.sum(axis=0, keepdims=True)

    def rollup_blocks(self) -> list[_Block]:
        blocks = []
        for family in self.trust_sums:
            blocks += self._blocks(family, "hub", self.hub_sums[family], 0)
            blocks += self._blocks(family, "trust", self.trust_sums[family],
                                   len(self.scope_names) - 1)
        return blocks

    def _blocks(self, family: str, level: str, sums: np.ndarray, scope_offset: int):
        """One block per KPI of the family from (scopes, periods, groups, columns) sums."""
        cols = {c: i for i, c in enumerate(self.columns[family])}
        fam = [k for k in d.engine_kpis(self.kpi_codes) if k.family == family]
        out = []
        for k, (n, s, c) in zip(fam, self._layout(family), strict=True):
            num, den, cnt = (sums[..., cols[x]] for x in (n, s, c))
            sup = cnt < k.min_group_size
            bad = sup | (den == 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = num / den * k.scale
            present = cnt > 0
            hidden = sup.copy()
            # Gap groups: first group's value minus the second's, where both have rows.
            g_val, g_bad, g_cnt, g_sup, g_present = [], [], [], [], []
            for a, b in self.gaps:
                g_val.append(value[..., a] - value[..., b])
                g_bad.append(bad[..., a] | bad[..., b])
                g_cnt.append(cnt[..., a] + cnt[..., b])
                g_sup.append(sup[..., a] | sup[..., b])
                g_present.append(present[..., a] & present[..., b])

            def widen(x, gap_values, _perm=self.group_perm):
                return np.concatenate([x, np.stack(gap_values, axis=-1)], axis=-1)[..., _perm]

            zeros = [np.zeros_like(num[..., 0])] * len(self.gaps)
            trues = [np.ones_like(sup[..., 0])] * len(self.gaps)
            arrays = {
                "value": widen(value, g_val), "value_null": widen(bad, g_bad),
                "numerator": widen(num, zeros), "denominator": widen(den, zeros),
                "count_null": widen(hidden, trues), "pupils": widen(cnt, g_cnt),
                "suppressed": widen(sup, g_sup), "present": widen(present, g_present),
            }
            arrays = {x: a[:, self.period_perm] for x, a in arrays.items()}
            idx = np.flatnonzero(arrays.pop("present"))
            shape = arrays["value"].shape
            scope, period, group = np.unravel_index(idx, shape)
            flat = {x: a.reshape(-1)[idx] for x, a in arrays.items()}
            out.append(_Block(
                kpi=self.kpi_codes.index(k.code), level=_LEVELS.index(level),
                scope=scope + scope_offset, period=period, group=group,
                value=flat["value"], value_null=flat["value_null"],
                numerator=flat["numerator"], denominator=flat["denominator"],
                count_null=flat["count_null"], pupils=flat["pupils"].astype(np.int64),
                suppressed=flat["suppressed"],
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
