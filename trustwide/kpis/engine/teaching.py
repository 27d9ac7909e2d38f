"""Teaching quality (app-database records, pure Python)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyarrow as pa

from trustwide.kpis import definitions as d
from trustwide.kpis.periods import (
    build_periods,
    normalise_terms,
    resolve_as_of,
    year_bounds,
)

from .schema import (
    RESULT_SCHEMA,
)

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
            ("kpi_code", kpi.code),
            ("level", level),
            ("scope_id", scope),
            ("period", period),
            ("group", "all"),
            ("value", None if sup else good_n / n * 100.0),
            ("numerator", None if sup else float(good_n)),
            ("denominator", None if sup else float(n)),
            ("pupils", n),
            ("suppressed", sup),
        ):
            rows[key].append(val)
    return pa.table(rows, schema=RESULT_SCHEMA)
