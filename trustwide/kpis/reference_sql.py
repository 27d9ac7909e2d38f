"""Hand-written DuckDB SQL of the attendance KPIs: the yardstick for the Ibis engine.

Used only by bench/kpis.py (speed: the engine's attendance KPIs must take at most 1.3x this)
and by the tests (correctness: both must return the same rows). It follows the same
definitions as definitions.py but shares no code with the engine package, so a mistake in one shows up
as a difference.

Two sources: ``source="marks"`` counts every session mark (the definition itself, and an
independent check of the store's derived weekly counts); ``source="weeks"`` reads those
weekly counts (trustwide.data.derived), as the engine does, so the bench compares like with
like. The weeks version shares the documented file format with the store (week numbering,
column names, byte masks), not the engine's code; the tests hold the engine to the marks
version.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from trustwide.data import derived
from trustwide.data.store import AnalyticsStore
from trustwide.kpis import definitions as d
from trustwide.kpis.engine import RESULT_SCHEMA
from trustwide.kpis.periods import (
    build_periods,
    mark_buckets,
    normalise_terms,
    resolve_as_of,
)

ATTENDANCE_CODES = [k.code for k in d.ATTENDANCE]


def _lit(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date):
        return f"DATE '{v.isoformat()}'"
    return "'" + str(v).replace("'", "''") + "'"


def _in(codes) -> str:
    return "(" + ", ".join(_lit(c) for c in codes) + ")"


def _files(root: Path, dataset: str, trust_id, year: int, urns) -> list[str]:
    out = []
    for urn in sorted(urns):
        out += sorted(
            str(p)
            for p in (
                root / dataset / f"trust={trust_id}" / f"school={urn}" / f"year={year}"
            ).rglob("*.parquet")
        )
    return out


def _source(files: list[str], empty_sql: str) -> str:
    if not files:
        return empty_sql
    listed = ", ".join(_lit(f) for f in files)
    return f"SELECT * FROM read_parquet([{listed}], hive_partitioning = false)"


def _sessions_sql(cls: str, start: date, end: date, year: int) -> str:
    """SQL for the pupil's sessions of class `cls` dated start..end from the weekly counts:
    the packed count through `end` minus through the day before `start`, then the sum of
    its seven bytes (the format is documented in trustwide.data.derived)."""

    def through(day: date) -> str:
        week, weekday = derived.week_and_day(day, year)
        if week < 0:
            return "0"
        if week >= derived.WEEKS:
            week, weekday = derived.WEEKS - 1, 6
        this = derived.column(cls, week)
        before = derived.column(cls, week - 1) if week else "0"
        return f"({before} + (({this} - {before}) & {derived.low_mask(weekday)}))"

    if end < start:
        return "0"
    diff = f"({through(end)} - {through(date.fromordinal(start.toordinal() - 1))})"
    return "(" + " + ".join(f"(({diff} >> {8 * i}) & 255)" for i in range(7)) + ")"


def attendance_sql(
    *, store_root, trust_id, academic_year, school_hubs, terms, as_of=None, source: str = "marks"
) -> str:
    root = Path(store_root)
    urns = [int(u) for u in school_hubs]
    term_p = normalise_terms(academic_year, terms)
    cut = resolve_as_of(academic_year, as_of)
    periods = build_periods(academic_year=academic_year, terms=term_p, as_of=cut)
    # Same plan as the engine (one GROUP BY over the marks by pupil and year segment, code
    # class by an integer lookup on the first character), written by hand.
    term_case = (
        "CASE "
        + " ".join(
            f"WHEN date BETWEEN {_lit(p.start)} AND {_lit(p.end)} THEN {i + 1}"
            for i, p in enumerate(term_p)
        )
        + " ELSE 0 END"
        if term_p
        else "0"
    )
    lookup = "[" + ", ".join(str(c) for c in d.CODE_CLASS_BY_ASCII) + "]"
    segments = ", ".join(
        f"({(i + 1) * 2 + int(pre)}, {_lit(per)})" for i, pre, per in mark_buckets(term_p)
    )
    period_rows = ", ".join(f"({_lit(p.code)}, {_lit(p.start)}, {_lit(p.end)})" for p in periods)
    if source not in ("marks", "weeks"):
        raise ValueError("source must be 'marks' or 'weeks'")
    hubs = [(u, h) for u, h in school_hubs.items() if h is not None]
    hub_rows = ", ".join(f"({int(u)}, {_lit(str(h))})" for u, h in hubs) or "(NULL, NULL)"
    marks = (
        _source(
            _files(root, "attendance_marks", trust_id, academic_year, urns),
            "SELECT NULL::INTEGER AS school_urn, NULL::VARCHAR AS pupil_key, NULL::DATE AS date, "
            "NULL::VARCHAR AS code WHERE FALSE",
        )
        if source == "marks"
        else None
    )
    summaries = _source(
        _files(root, "attendance_summaries", trust_id, academic_year, urns),
        "SELECT NULL::INTEGER AS school_urn, NULL::SMALLINT AS academic_year, "
        "NULL::VARCHAR AS pupil_key, NULL::DATE AS period_start, NULL::DATE AS period_end, "
        "NULL::INTEGER AS possible, NULL::INTEGER AS authorised, NULL::INTEGER AS unauthorised "
        "WHERE FALSE",
    )
    chars = _source(
        _files(root, "characteristics", trust_id, academic_year, urns),
        "SELECT NULL::INTEGER AS school_urn, NULL::SMALLINT AS academic_year, "
        "NULL::VARCHAR AS pupil_key, NULL::TINYINT AS year_group, NULL::VARCHAR AS sex, "
        "NULL::BOOLEAN AS disadvantaged, NULL::VARCHAR AS sen, NULL::BOOLEAN AS eal WHERE FALSE",
    )
    year_groups = " ".join(
        f"CASE WHEN year_group = {n} THEN 'year_{'R' if n == 0 else n}' END," for n in range(0, 14)
    )
    kpi_rows = ", ".join(f"({_lit(k.code)}, {k.min_group_size})" for k in d.ATTENDANCE)
    if source == "weeks":
        store = AnalyticsStore(root)
        if store.stale_derived(trust_id, academic_year, urns, names=[derived.ATTENDANCE_WEEKS]):
            raise ValueError("the weekly counts are older than the marks: ensure_derived first")
        files = store.shard_paths(derived.ATTENDANCE_WEEKS, trust_id, urns, academic_year)
        listed = ", ".join(_lit(f) for f in files)
        in_trust = ", ".join(str(u) for u in urns) or "NULL"
        weeks = (
            (
                f"SELECT * FROM read_parquet([{listed}], hive_partitioning = false) "
                f"WHERE school_urn IN ({in_trust})"
            )
            if files
            else ("SELECT NULL::INTEGER AS school_urn, NULL::VARCHAR AS pupil_key WHERE FALSE")
        )
        per_period = (
            "\n    UNION ALL\n".join(
                f"    SELECT school_urn, pupil_key, {_lit(p.code)} AS period, "
                + ", ".join(
                    f"{_sessions_sql(c, p.start, p.end, academic_year)} AS {c}"
                    for c in derived.CLASSES
                )
                + " FROM weeks"
                for p in periods
            )
            if files
            else (
                "    SELECT NULL::INTEGER, NULL::VARCHAR, NULL::VARCHAR, NULL::BIGINT, NULL::BIGINT, "
                "NULL::BIGINT WHERE FALSE"
            )
        )
        first = f"""WITH weeks AS ({weeks}),
scan AS (SELECT DISTINCT school_urn FROM weeks),
from_marks(school_urn, pupil_key, period, possible, authorised, unauthorised) AS (
{per_period}
),"""
    else:
        first = f"""WITH scan AS MATERIALIZED (
    SELECT school_urn, pupil_key, seg,
           count(*) FILTER (WHERE cls <= 2) AS possible,
           count(*) FILTER (WHERE cls = 1) AS authorised,
           count(*) FILTER (WHERE cls = 2) AS unauthorised
    FROM (
        SELECT school_urn, pupil_key,
               ({term_case}) * 2 + (date <= {_lit(cut)})::INTEGER AS seg,
               {lookup}[least(ascii(code), 127) + 1] AS cls
        FROM ({marks})
    )
    GROUP BY ALL
),
segments(seg, period) AS (VALUES {segments}),
from_marks AS (
    SELECT school_urn, pupil_key, period, sum(possible) AS possible,
           sum(authorised) AS authorised, sum(unauthorised) AS unauthorised
    FROM scan JOIN segments USING (seg)
    GROUP BY ALL
),"""
    return f"""
{first}
periods(period, p_start, p_end) AS (VALUES {period_rows}),
hubs(school_urn, hub_id) AS (VALUES {hub_rows}),
kpis(kpi_code, min_n) AS (VALUES {kpi_rows}),
from_summaries AS (
    SELECT s.school_urn, s.pupil_key, p.period, sum(s.possible) AS possible,
           sum(s.authorised) AS authorised, sum(s.unauthorised) AS unauthorised
    FROM ({summaries}) s
    JOIN periods p ON s.period_start <= p.p_end AND s.period_end >= p.p_start
    WHERE s.academic_year = {academic_year}
      AND s.school_urn NOT IN (SELECT DISTINCT school_urn FROM scan)
    GROUP BY ALL
),
pp AS (
    SELECT *, authorised + unauthorised AS absent
    FROM (SELECT * FROM from_marks UNION ALL SELECT * FROM from_summaries)
    WHERE possible > 0
),
chars AS (
    SELECT school_urn, pupil_key, any_value(year_group) AS year_group, any_value(sex) AS sex,
           any_value(disadvantaged) AS disadvantaged, any_value(sen) AS sen,
           any_value(eal) AS eal
    FROM ({chars}) WHERE academic_year = {academic_year}
    GROUP BY ALL
),
members AS (
    SELECT school_urn, pupil_key, unnest(list_filter([
        CASE WHEN disadvantaged THEN 'disadvantaged' END,
        CASE WHEN NOT disadvantaged THEN 'not_disadvantaged' END,
        CASE WHEN sen = 'K' THEN 'sen_support' END,
        CASE WHEN sen = 'E' THEN 'ehc_plan' END,
        CASE WHEN sen IN ('K', 'E') THEN 'sen' END,
        CASE WHEN sen = 'N' THEN 'no_sen' END,
        CASE WHEN eal THEN 'eal' END,
        CASE WHEN sex = 'M' THEN 'boys' END,
        CASE WHEN sex = 'F' THEN 'girls' END,
        {year_groups[:-1]}
    ], lambda x: x IS NOT NULL)) AS grp
    FROM chars
),
school_agg AS (
    SELECT school_urn, period, grp, sum(absent) AS absent, sum(authorised) AS authorised,
           sum(unauthorised) AS unauthorised, sum(possible) AS possible, count(*) AS n,
           count(*) FILTER (WHERE absent * 10 >= possible) AS pa,
           count(*) FILTER (WHERE absent * 2 >= possible) AS sa
    FROM (
        SELECT pp.*, 'all' AS grp FROM pp
        UNION ALL
        SELECT pp.*, m.grp FROM pp JOIN members m USING (school_urn, pupil_key)
    )
    GROUP BY ALL
),
levels AS (
    SELECT 'school' AS level, CAST(school_urn AS VARCHAR) AS scope_id, period, grp, absent,
           authorised, unauthorised, possible, n, pa, sa
    FROM school_agg
    UNION ALL
    SELECT 'hub', h.hub_id, period, grp, sum(absent), sum(authorised), sum(unauthorised),
           sum(possible), sum(n), sum(pa), sum(sa)
    FROM school_agg JOIN hubs h USING (school_urn)
    GROUP BY ALL
    UNION ALL
    SELECT 'trust', {_lit(str(trust_id))}, period, grp, sum(absent), sum(authorised),
           sum(unauthorised), sum(possible), sum(n), sum(pa), sum(sa)
    FROM school_agg
    GROUP BY ALL
),
long AS (
    SELECT k.kpi_code, level, scope_id, period, grp, n AS pupils, n < k.min_n AS suppressed,
           CAST(CASE k.kpi_code
                WHEN 'overall_absence' THEN absent
                WHEN 'authorised_absence' THEN authorised
                WHEN 'unauthorised_absence' THEN unauthorised
                WHEN 'persistent_absence' THEN pa
                WHEN 'severe_absence' THEN sa END AS DOUBLE) AS num,
           CAST(CASE WHEN k.kpi_code IN ('persistent_absence', 'severe_absence') THEN n
                ELSE possible END AS DOUBLE) AS den
    FROM levels CROSS JOIN kpis k
),
result AS (
    SELECT kpi_code, level, scope_id, period, grp AS "group",
           CASE WHEN suppressed THEN NULL ELSE num / den * 100 END AS value,
           CASE WHEN suppressed THEN NULL ELSE num END AS numerator,
           CASE WHEN suppressed THEN NULL ELSE den END AS denominator,
           pupils, suppressed
    FROM long
),
gaps AS (
    SELECT a.kpi_code, a.level, a.scope_id, a.period, g.gap AS "group", a.value - b.value,
           NULL::DOUBLE, NULL::DOUBLE, a.pupils + b.pupils, a.suppressed OR b.suppressed
    FROM (VALUES ('disadvantaged_gap', 'disadvantaged', 'not_disadvantaged'),
                 ('sen_gap', 'sen', 'no_sen')) g(gap, ga, gb)
    JOIN result a ON a."group" = g.ga
    JOIN result b ON b."group" = g.gb AND a.kpi_code = b.kpi_code AND a.level = b.level
                 AND a.scope_id = b.scope_id AND a.period = b.period
)
SELECT * FROM result UNION ALL SELECT * FROM gaps
ORDER BY kpi_code, level, scope_id, period, "group"
"""


def run_reference(*, con: duckdb.DuckDBPyConnection | None = None, **kwargs) -> pa.Table:
    """Run attendance_sql(**kwargs) and return rows in RESULT_SCHEMA."""
    own = con is None
    con = con or duckdb.connect()
    try:
        table = con.sql(attendance_sql(**kwargs)).to_arrow_table()
    finally:
        if own:
            con.close()
    return table.rename_columns(RESULT_SCHEMA.names).cast(RESULT_SCHEMA)
