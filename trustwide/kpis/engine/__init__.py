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

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa

from .backends import spark_session
from .run import _Run
from .schema import (
    BATCH_SCHOOLS,
    DUCKDB_MEMORY_LIMIT,
    DUCKDB_TEMP_DIR,
    FAMILY_DATASETS,
    KEYS,
    RESULT_SCHEMA,
    STORE_COLUMNS,
    StaleDerivedData,
)
from .teaching import teaching_at_least_good

__all__ = [
    "BATCH_SCHOOLS",
    "DUCKDB_MEMORY_LIMIT",
    "DUCKDB_TEMP_DIR",
    "FAMILY_DATASETS",
    "KEYS",
    "RESULT_SCHEMA",
    "STORE_COLUMNS",
    "StaleDerivedData",
    "compute_kpis",
    "iter_kpis",
    "spark_session",
    "teaching_at_least_good",
]


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
    a8_estimates: Iterable[tuple[float, float, float, float | None]] | None = None,
) -> pa.Table:
    """Return one row per (kpi_code, level, scope_id, period, group); see RESULT_SCHEMA.

    school_hubs: the trust's schools (URN -> hub id or None); only these schools are read.
    terms: (code, start, end) with code 'autumn'|'spring'|'summer', dates inclusive.
    as_of: year-to-date cut-off (default today, clipped to the academic year).
    kpis: optional subset of KPI codes or family names ('attendance', ...); default all.
    connection: an existing Ibis DuckDB or PySpark backend to reuse (else one is opened).
    batch_schools: schools per batch (default BATCH_SCHOOLS); see the module docstring.
    a8_estimates: DfE's Attainment 8 estimates for the year, (ks2_low, ks2_high, estimate,
    minimum pupil Progress 8 score or None) per KS2 range (engine/ks4.estimates_table);
    without them there is no Progress 8.
    Rows exist only where at least one pupil is in the KPI's population; they are sorted by
    kpi_code, level, scope_id, period and group.
    """
    run = _Run.create(
        store_root=store_root,
        trust_id=trust_id,
        academic_year=academic_year,
        school_hubs=school_hubs,
        terms=terms,
        backend=backend,
        as_of=as_of,
        kpis=kpis,
        connection=connection,
        batch_schools=batch_schools or BATCH_SCHOOLS,
        a8_estimates=a8_estimates,
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
    run = _Run.create(**{**kwargs, "batch_schools": kwargs.get("batch_schools") or BATCH_SCHOOLS})
    try:
        for blocks in run.batches():
            yield run.table(blocks)
        yield run.table(run.rollup_blocks())
    finally:
        run.close()
