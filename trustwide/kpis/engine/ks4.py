"""Key stage 4 per-pupil facts from subject grades: Attainment 8 and its elements, English and
maths, the EBacc and Progress 8 (definitions.KS4 states each rule and its source).

The store keeps one statutory row per pupil and subject, measure "KS4_<code>"
(trustwide.data.schemas.KS4_SUBJECTS gives each code's element). Everything is one GROUP BY
per pupil; Attainment 8's "best 3" slots use arrays, which DuckDB and PySpark both run (window
ranks were 5 times slower in DuckDB):

1. the EBacc subjects' points (combined science twice: it fills two slots), sorted best
   first: the first 3 fill the EBacc slots;
2. the open subjects, the EBacc subjects beyond the first 3 and the English qualification not
   in the English slot, sorted: the first 3 fill the open slots.

Progress 8 needs DfE's Attainment 8 estimates by KS2 prior attainment for the year, given
by the caller (the Django side reads the year's imported, verified table: kpis/a8_estimates.py);
without them the pupil's p8 is null and no Progress 8 row exists. Where DfE's minimum pupil
score (the cap on extreme negative scores) is given for a range, a pupil's score below it
counts as the minimum.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from trustwide.data.schemas import KS4_SUBJECT_PREFIX, KS4_SUBJECTS

from .schema import KEYS

ESTIMATES_ROLE = "prior_estimates"  # the lookup's placeholder role (letters and _ only)
# Estimates by tenth of a KS2 point, so the pupils find theirs with an equality (hash) join:
# key = floor(10 x prior attainment). An inequality join was a nested loop.
ESTIMATES_SCHEMA = pa.schema(
    [("prior_key", pa.int32()), ("a8_estimate", pa.float64()), ("p8_limit", pa.float64())]
)
KEY_SCALE = 10
COMBINED_SCIENCE = KS4_SUBJECT_PREFIX + "COMB_SCI"
SINGLE_SCIENCES = tuple(
    KS4_SUBJECT_PREFIX + c for c in ("BIOLOGY", "CHEMISTRY", "PHYSICS", "COMP_SCI")
)
ENG_LANG, ENG_LIT = KS4_SUBJECT_PREFIX + "ENG_LANG", KS4_SUBJECT_PREFIX + "ENG_LIT"
ATT8, PRIOR = "KS4_ATT8", "KS4_KS2_PRIOR"
EBACC_ELEMENTS = ("science", "humanities", "language")


def _of(element: str) -> tuple[str, ...]:
    return tuple(KS4_SUBJECT_PREFIX + c for c, (_l, e) in KS4_SUBJECTS.items() if e == element)


def estimates_table(
    rows: Iterable[tuple[float, float, float, float | None]], name: str = "A8 estimates"
) -> pa.Table:
    """DfE's Attainment 8 estimates for one KS4 year as the engine's lookup.

    rows: (ks2_low, ks2_high, a8_estimate, p8_limit): the KS2 prior-attainment range
    [low, high) in tenths of a point, the estimate, and DfE's minimum pupil Progress 8 score
    for the range (None where DfE gives none: scores are then not capped). Ranges must not
    overlap (a pupil matches one estimate at most)."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    for (_lo, hi, *_r), (lo2, *_r2) in zip(rows, rows[1:], strict=False):
        if lo2 < hi:
            raise ValueError(f"{name}: KS2 ranges overlap at {lo2:g}")
    keys, values, limits = [], [], []
    for lo, hi, estimate, limit in rows:
        first, last = round(lo * KEY_SCALE), round(hi * KEY_SCALE)
        if abs(first - lo * KEY_SCALE) > 1e-6 or abs(last - hi * KEY_SCALE) > 1e-6:
            raise ValueError(f"{name}: KS2 range {lo:g}-{hi:g} is not in tenths")
        keys += range(first, last)
        values += [float(estimate)] * (last - first)
        limits += [None if limit is None else float(limit)] * (last - first)
    return pa.table(
        {
            "prior_key": pa.array(keys, pa.int32()),
            "a8_estimate": pa.array(values, pa.float64()),
            "p8_limit": pa.array(limits, pa.float64()),
        },
        schema=ESTIMATES_SCHEMA,
    )


def ks4_facts(s: ir.Table, estimates: ir.Table) -> ir.Table:
    """One row per school and pupil with any KS4 result; see definitions' docstring."""
    s = s.filter(s.measure.startswith(KS4_SUBJECT_PREFIX))
    subject = s.measure.isin(tuple(KS4_SUBJECT_PREFIX + c for c in KS4_SUBJECTS))
    # An entry is a grade or U (0 points); X (no result) is not an entry.
    entered = subject & (s.value_num.notnull() | (s.value_text == "U"))
    element = ibis.cases(
        *[(s.measure.isin(_of(e)), e) for e in ("english", "maths", *EBACC_ELEMENTS, "open")],
        else_=ibis.null("string"),
    )
    bucket = ibis.cases(
        (s.measure.isin(_of("english")), "E"),
        (s.measure.isin(_of("maths")), "M"),
        (element.isin(EBACC_ELEMENTS), "B"),
        (element == "open", "O"),
        else_=ibis.null("string"),
    )
    rows = s.select(
        *KEYS,
        "measure",
        value=s.value_num,
        # Points negated: an ascending sort puts the best first.
        neg=ibis.ifelse(entered, -s.value_num.fill_null(0.0), ibis.null("float64")),
        element=ibis.ifelse(entered, element, ibis.null("string")),
        bucket=ibis.ifelse(entered, bucket, ibis.null("string")),
    )
    combined = rows.measure == COMBINED_SCIENCE

    def collect(where) -> ir.ArrayValue:
        return rows.neg.collect(where=where & rows.neg.notnull())

    p = rows.group_by(KEYS).agg(
        subjects=rows.count(where=rows.bucket.notnull()),
        n_english=rows.count(where=rows.bucket == "E"),
        eng_best=-rows.neg.min(where=rows.bucket == "E"),
        eng_low=-rows.neg.max(where=rows.bucket == "E"),
        maths=-rows.neg.min(where=rows.bucket == "M"),
        ebacc_list=collect(rows.bucket == "B"),
        open_list=collect(rows.bucket == "O"),
        science_list=collect(rows.element == "science"),
        combined_list=collect(combined),
        singles=rows.count(where=rows.measure.isin(SINGLE_SCIENCES) & rows.element.notnull()),
        combined=rows.count(where=combined & rows.element.notnull()),
        humanities=-rows.neg.min(where=rows.element == "humanities"),
        language=-rows.neg.min(where=rows.element == "language"),
        att8=rows.value.max(where=rows.measure == ATT8),
        prior=rows.value.max(where=rows.measure == PRIOR),
        has_att8=rows.count(where=(rows.measure == ATT8) & rows.value.notnull()),
    )
    # "Best n" slots without window functions: per pupil, the bucket's (negated) points as
    # an array, sorted, the first n summed. Combined science is listed twice (two slots).
    empty = ibis.literal([], type="array<float64>")
    both_english = p.n_english >= 2
    ebacc_sorted = p.ebacc_list.fill_null(empty).concat(p.combined_list.fill_null(empty)).sort()
    # Open: the open subjects, the EBacc subjects beyond the best 3, and the other English.
    other_english = ibis.ifelse(both_english, ibis.array([-p.eng_low]), empty)
    open_sorted = p.open_list.fill_null(empty).concat(ebacc_sorted[3:]).concat(other_english).sort()
    science_sorted = p.science_list.fill_null(empty).concat(p.combined_list.fill_null(empty)).sort()

    def best(sorted_: ir.ArrayValue, n: int) -> ir.FloatingValue:
        return -sorted_[:n].sums().fill_null(0.0)

    p = p.mutate(
        ebacc=best(ebacc_sorted, 3), open_=best(open_sorted, 3), science2=best(science_sorted, 2)
    )
    both_english = p.n_english >= 2
    science_entered = (p.combined > 0) | (p.singles >= 3)
    english = p.eng_best.fill_null(0.0) * ibis.ifelse(both_english, 2.0, 1.0)
    maths = p.maths.fill_null(0.0) * 2.0
    ebacc = p.ebacc.fill_null(0.0)
    open_ = p.open_.fill_null(0.0)
    has_subjects = p.subjects > 0
    p = p.mutate(
        a8_english=ibis.ifelse(has_subjects, english, ibis.null("float64")),
        a8_maths=ibis.ifelse(has_subjects, maths, ibis.null("float64")),
        a8_ebacc=ibis.ifelse(has_subjects, ebacc, ibis.null("float64")),
        a8_open=ibis.ifelse(has_subjects, open_, ibis.null("float64")),
        a8=ibis.ifelse(has_subjects, english + maths + ebacc + open_, p.att8),
        ebacc_entered=both_english
        & p.maths.notnull()
        & science_entered
        & p.humanities.notnull()
        & p.language.notnull(),
        ebacc_points=ibis.ifelse(both_english, p.eng_best.fill_null(0.0), 0.0)
        + p.maths.fill_null(0.0)
        + ibis.ifelse(science_entered, p.science2.fill_null(0.0), 0.0)
        + p.humanities.fill_null(0.0)
        + p.language.fill_null(0.0),
    )
    p = p.filter(has_subjects | (p.has_att8 > 0))
    e = estimates
    p = p.mutate(prior_key=(p.prior * KEY_SCALE + 1e-9).floor().cast("int32"))
    j = p.left_join(e, p.prior_key == e.prior_key)
    # Progress 8 x 10 (the division is the KPI's denominator, so sums stay exact). DfE's cap:
    # a score below the range's minimum counts as the minimum (null limit: no cap).
    raw = j.a8 - j.a8_estimate
    floor = j.p8_limit * 10.0
    return j.select(
        *KEYS,
        "subjects",
        "eng_best",
        "maths",
        "a8",
        "a8_english",
        "a8_maths",
        "a8_ebacc",
        "a8_open",
        "ebacc_entered",
        "ebacc_points",
        p8_points=ibis.ifelse(floor.notnull() & (raw < floor), floor, raw),
    )
