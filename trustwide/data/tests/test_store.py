"""Analytics store: batches replace rows by natural key, roll back whole, and swap atomically."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trustwide.data.schemas import ATTENDANCE_MARKS
from trustwide.data.store import AnalyticsStore

URN = 137001


def marks(pupils, day, code, n_days=1):
    rows = [
        (f"p{p:04d}", dt.date(2023, 9, 4) + dt.timedelta(days=d), s, code)
        for p in pupils
        for d in range(day, day + n_days)
        for s in ("AM", "PM")
    ]
    keys, dates, sessions, codes = zip(*rows, strict=True)
    n = len(rows)
    return pa.table(
        {
            "pupil_key": keys,
            "date": pa.array(dates, pa.date32()),
            "session": sessions,
            "code": codes,
            "school_urn": pa.array([URN] * n, pa.int32()),
            "academic_year": pa.array([2023] * n, pa.int16()),
            "batch_id": [""] * n,
        }
    )


def current(store):
    table = store.read("attendance_marks", 1, URN, 2023)
    return {
        (r["pupil_key"], r["date"].day, r["session"]): (r["code"], r["batch_id"])
        for r in table.to_pylist()
    }


@pytest.fixture
def store(tmp_path):
    return AnalyticsStore(tmp_path / "data")


def write(store, table, batch_id):
    return store.write_batch(
        dataset="attendance_marks",
        trust_id=1,
        academic_year=2023,
        tables={URN: table},
        batch_id=batch_id,
    )


def test_newer_batch_replaces_by_natural_key_and_rollback_restores(store):
    write(store, marks(range(3), 0, "/"), "b1")
    info = write(store, marks([1, 2, 3], 0, "I"), "b2")  # pupils 1, 2 replaced; 3 new
    assert (info.rows, info.replaced_rows) == (6, 4)
    rows = current(store)
    assert len(rows) == 8
    assert rows[("p0000", 4, "AM")] == ("/", "b1") and rows[("p0001", 4, "AM")] == ("I", "b2")
    store.rollback("b2")
    rows = current(store)
    assert len(rows) == 6 and {v for v in rows.values()} == {("/", "b1")}
    assert [b.status for b in store.list_batches(trust_id=1)] == ["active", "rolled_back"]


def test_rollback_of_an_older_batch_keeps_newer_rows(store):
    write(store, marks(range(2), 0, "/"), "b1")
    write(store, marks(range(2), 0, "O"), "b2")
    write(store, marks([0], 0, "M"), "b3")  # replaces pupil 0 again
    store.rollback("b2")  # pupil 1 goes back to b1; pupil 0 stays on b3
    rows = current(store)
    assert rows[("p0000", 4, "PM")] == ("M", "b3") and rows[("p0001", 4, "PM")] == ("/", "b1")
    store.rollback("b3")  # b2 was rolled back, so pupil 0 returns to b1
    assert {v for v in current(store).values()} == {("/", "b1")}
    store.rollback("b1")
    assert store.paths("attendance_marks", 1) == []


def test_paths_glob_and_duckdb(store):
    write(store, marks(range(2), 0, "/"), "b1")
    store.write_batch(
        dataset="attendance_marks",
        trust_id=1,
        academic_year=2024,
        tables={
            URN + 1: marks(range(2), 366, "I").set_column(  # 4 Sep 2024
                4, "school_urn", pa.array([URN + 1] * 4, pa.int32())
            )
        },
        batch_id="b2",
    )
    assert len(store.paths("attendance_marks", 1)) == 2
    assert len(store.paths("attendance_marks", 1, school_urns=[URN])) == 1
    assert len(store.paths("attendance_marks", 1, years=[2024])) == 1
    got = duckdb.sql(
        f"select school_urn, academic_year, count(*) from read_parquet('{store.glob('attendance_marks', 1)}') "
        "group by all order by 1"
    ).fetchall()
    assert got == [(URN, 2023, 4), (URN + 1, 2024, 4)]
    assert pq.read_schema(store.paths("attendance_marks", 1)[0]).equals(ATTENDANCE_MARKS.schema)


def test_characteristics_also_write_pupils(store, validate):
    from trustwide.data.tests.conftest import CHAR_HEADER, char_rows, to_csv

    result = validate(
        to_csv(CHAR_HEADER, char_rows()), dataset="characteristics", file_name="p.csv"
    )
    info = store.write_batch(
        dataset="characteristics",
        trust_id=1,
        academic_year=2023,
        tables=result.tables,
        batch_id="c1",
    )
    assert info.rows == 3
    assert pq.read_table(store.paths("pupils", 1)[0]).column_names == [
        "pupil_key",
        "school_urn",
        "academic_year",
        "batch_id",
    ]
    store.rollback("c1")
    assert store.paths("pupils", 1) == [] and store.paths("characteristics", 1) == []


def test_duplicate_batch_id_refused(store):
    write(store, marks([0], 0, "/"), "b1")
    with pytest.raises(ValueError):
        write(store, marks([0], 0, "/"), "b1")


def _school(table, urn):
    n = table.num_rows
    return table.set_column(
        table.schema.get_field_index("school_urn"), "school_urn", pa.array([urn] * n, pa.int32())
    )


def test_atomic_swap_reader_never_sees_a_mix(store):
    """A reader reading over and over (through the store's read lock, opening the files by path
    as pyarrow datasets and DuckDB do) while batches covering two schools are written sees one
    whole batch each time, on both schools."""
    n_pupils, n_days = 200, 20
    other = URN + 1

    def write_both(code, batch_id):
        table = marks(range(n_pupils), 0, code, n_days)
        store.write_batch(
            dataset="attendance_marks",
            trust_id=1,
            academic_year=2023,
            tables={URN: table, other: _school(table, other)},
            batch_id=batch_id,
        )

    write_both("/", "w0")
    paths = store.paths("attendance_marks", 1)
    assert len(paths) == 2
    expected_rows = n_pupils * n_days * 2
    seen, problems, stop = set(), [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                with store.reading(1):
                    tables = [pq.read_table(path) for path in paths]
                batches = set()
                for table in tables:
                    batches |= set(table.column("batch_id").to_pylist())
                    if table.num_rows != expected_rows:
                        problems.append(table.num_rows)
                if len(batches) != 1:
                    problems.append(batches)
                seen.update(batches)
            except Exception as exc:  # noqa: BLE001 - any error at all is the failure
                problems.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    last = 0
    try:
        # Keep writing until the reader has demonstrably read between writes.
        for last in range(1, 300):
            write_both("/I"[last % 2], f"w{last}")
            if last >= 24 and len(seen) >= 3:
                break
    finally:
        stop.set()
        thread.join()
    assert problems == [], problems[:3]
    assert len(seen) >= 3  # the reader really did overlap the writes
    assert set(current(store).values()) == {("/I"[last % 2], f"w{last}")}
