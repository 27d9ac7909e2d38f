"""The Ibis engine against the hand-written SQL reference, and DuckDB against PySpark."""

from __future__ import annotations

import importlib.util
import os
from datetime import date

import pytest

from trustwide.kpis.engine import compute_kpis
from trustwide.kpis.reference_sql import run_reference


def test_engine_matches_hand_written_sql(kwargs):
    engine = compute_kpis(kpis=["attendance"], **kwargs)
    reference = run_reference(**kwargs)
    assert engine.num_rows > 500
    assert engine.equals(reference)


@pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None,
    reason="pyspark is not installed (pip install -e '.[spark]')",
)
def test_duckdb_and_pyspark_give_identical_rows(kwargs, result):
    import ibis

    from trustwide.kpis.engine import spark_session

    os.environ.setdefault("PYSPARK_PYTHON", "python")
    con = ibis.pyspark.connect(spark_session())
    spark = compute_kpis(backend="pyspark", connection=con, **kwargs)
    assert spark.schema == result.schema
    assert spark.num_rows == result.num_rows
    for a, b in zip(spark.to_pylist(), result.to_pylist(), strict=True):
        assert a == b


def test_reference_from_weekly_counts_matches_the_one_from_marks(kwargs):
    """The store's derived weekly counts give exactly what counting every mark gives."""
    from_marks = run_reference(**kwargs)
    assert from_marks.num_rows > 500
    assert run_reference(source="weeks", **kwargs).equals(from_marks)


@pytest.mark.parametrize(
    "terms, as_of",
    [
        # Terms that start and end mid-week, and cut-off days inside a week: the weekly counts
        # are split by weekday, so every boundary still falls on the right day.
        (
            [
                ("autumn", date(2025, 9, 3), date(2025, 12, 17)),
                ("spring", date(2026, 1, 7), date(2026, 3, 26)),
                ("summer", date(2026, 4, 15), date(2026, 7, 21)),
            ],
            date(2025, 9, 9),
        ),
        (
            [
                ("autumn", date(2025, 9, 10), date(2025, 11, 5)),
                ("spring", date(2025, 11, 6), date(2026, 1, 6)),
            ],
            date(2026, 1, 7),
        ),
        ([("summer", date(2026, 4, 13), date(2026, 7, 22))], date(2025, 12, 22)),
    ],
)
def test_engine_matches_marks_for_any_term_dates_and_cut_off(kwargs, terms, as_of):
    args = {**kwargs, "terms": terms, "as_of": as_of}
    engine = compute_kpis(kpis=["attendance"], **args)
    assert engine.num_rows > 100
    assert engine.equals(run_reference(**args))


def test_batches_follow_the_weekly_count_shards_and_do_not_change_rows(kwargs, result):
    from trustwide.data.derived import SHARD_URNS
    from trustwide.kpis.engine import _Run

    # 10 schools in each of three shards, batches of up to 25: cut where a shard ends.
    urns = [100_000 + SHARD_URNS * k + i for k in range(1, 4) for i in range(10)]
    run = _Run.create(
        **{**kwargs, "school_hubs": dict.fromkeys(urns)}, kpis=["statutory"], batch_schools=25
    )
    try:
        slices = run.batch_slices()
    finally:
        run.close()
    assert [(s.start, s.stop) for s in slices] == [(0, 20), (20, 30)]
    # A batch of one school at a time gives exactly the rows of one batch.
    assert compute_kpis(batch_schools=1, **kwargs).equals(result)
