"""attendance_weeks: weekly counts derived from the marks give the exact session count for any
date range, and the store keeps them in step with the marks through imports and rollbacks."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trustwide.data import codes, derived
from trustwide.data.store import AnalyticsStore

YEAR = 2023
FIRST, LAST = dt.date(2023, 9, 1), dt.date(2024, 8, 31)
ALL_CODES = sorted(codes.ALL_CODES)


def random_marks(rng: random.Random, pupils: int, per_pupil: int):
    """Marks on random days of the year (weekends and the first and last day included)."""
    rows = []
    days = (LAST - FIRST).days + 1
    for p in range(pupils):
        picked = set()
        while len(picked) < per_pupil:
            picked.add((rng.randrange(days), rng.choice(("AM", "PM"))))
        if p == 0:
            picked |= {(0, "AM"), (0, "PM"), (days - 1, "AM")}
        for day, session in sorted(picked):
            rows.append(
                (f"k{p:03d}", FIRST + dt.timedelta(days=day), session, rng.choice(ALL_CODES))
            )
    return rows


def marks_table(rows, urn=100001):
    keys, dates, sessions, marks = zip(*rows, strict=True)
    n = len(rows)
    return pa.table(
        {
            "pupil_key": list(keys),
            "date": pa.array(dates, pa.date32()),
            "session": list(sessions),
            "code": list(marks),
            "school_urn": pa.array([urn] * n, pa.int32()),
            "academic_year": pa.array([YEAR] * n, pa.int16()),
            "batch_id": [""] * n,
        }
    )


def counted(rows, key, cls, start, end):
    """The definition, mark by mark: sessions of the pupil in the class dated start..end."""

    def in_class(code):
        if cls == "possible":
            return code in codes.ATTENDING or code in codes.ABSENT
        return code in (codes.AUTHORISED if cls == "authorised" else codes.UNAUTHORISED)

    return sum(
        1 for k, day, _s, code in rows if k == key and start <= day <= end and in_class(code)
    )


def test_weekly_counts_give_every_date_range_exactly():
    rng = random.Random(7)
    rows = random_marks(rng, pupils=6, per_pupil=300)
    table = derived.attendance_weeks(marks_table(rows), school_urn=100001, academic_year=YEAR)
    assert table.schema.equals(derived.SCHEMA)
    keys = table["pupil_key"].to_pylist()
    assert keys == sorted({r[0] for r in rows})
    ranges = [
        (FIRST, LAST),
        (FIRST, FIRST),
        (LAST, LAST),
        (dt.date(2023, 9, 4), dt.date(2023, 9, 10)),
        (dt.date(2023, 12, 20), dt.date(2024, 1, 3)),
    ]  # a week, a holiday across the new year
    for _ in range(60):
        a = FIRST + dt.timedelta(days=rng.randrange(366))
        b = a + dt.timedelta(days=rng.randrange(60))
        ranges.append((a, min(b, LAST)))
    for start, end in ranges:
        for cls in derived.CLASSES:
            got = derived.sessions_between(table, cls, start, end, YEAR).tolist()
            want = [counted(rows, k, cls, start, end) for k in keys]
            assert got == want, (cls, start, end)


def test_week_zero_starts_on_the_monday_before_1_september():
    assert derived.week_origin(2023) == dt.date(2023, 8, 28)  # 1 Sep 2023 was a Friday
    assert derived.week_and_day(dt.date(2023, 9, 1), 2023) == (0, 4)
    assert derived.week_and_day(dt.date(2024, 8, 31), 2023) == (52, 5)
    assert derived.week_origin(2025) == dt.date(2025, 9, 1)  # a Monday


def test_refuses_marks_it_cannot_count():
    table = marks_table([("k1", dt.date(2024, 9, 2), "AM", "/")])
    with pytest.raises(
        ValueError,
        match="school 100001: a mark dated 2024-09-02 is outside academic year 2023/2024",
    ):
        derived.attendance_weeks(table, school_urn=100001, academic_year=YEAR)
    bad = marks_table([("k1", dt.date(2023, 9, 4), "AM", "H")])
    with pytest.raises(ValueError, match="school 100001: unknown attendance code 'H'"):
        derived.attendance_weeks(bad, school_urn=100001, academic_year=YEAR)
    # Three sessions on one day can only come from files written around the store.
    tripled = marks_table(
        [("k0", dt.date(2023, 9, 4), "AM", "/")]
        + [("k1", dt.date(2023, 9, 5), s, "/") for s in ("AM", "PM", "AM")]
    )
    with pytest.raises(ValueError, match="pupil k1 has more than two sessions on 2023-09-05"):
        derived.attendance_weeks(tripled, school_urn=100001, academic_year=YEAR)


# -- the store keeps the shards in step --------------------------------------------------------

A, B, OTHER = 100001, 100002, 100001 + derived.SHARD_URNS  # A and B share a shard


W = derived.ATTENDANCE_WEEKS


def weeks_of(store, urn):
    files = store.shard_paths(W, 1, [urn], YEAR)
    table = (
        pa.concat_tables([pq.read_table(f) for f in files])
        if files
        else derived.SCHEMA.empty_table()
    )
    table = table.filter(pa.compute.equal(table["school_urn"], urn))
    return {
        k: derived.sessions_between(table, "authorised", FIRST, LAST, YEAR)[i]
        for i, k in enumerate(table["pupil_key"].to_pylist())
    }


def write(store, urn, rows, batch_id):
    return store.write_batch(
        dataset="attendance_marks",
        trust_id=1,
        academic_year=YEAR,
        tables={urn: marks_table(rows, urn)},
        batch_id=batch_id,
    )


def test_imports_and_rollbacks_rewrite_the_shards_in_the_same_swap(tmp_path):
    store = AnalyticsStore(tmp_path)
    day = dt.date(2023, 9, 4)
    write(store, A, [("a", day, "AM", "I"), ("a", day, "PM", "/")], "b1")
    write(store, B, [("b", day, "AM", "I"), ("b", day, "PM", "I")], "b2")
    write(store, OTHER, [("c", day, "AM", "M")], "b3")
    assert len(store.shard_paths(W, 1, [A, B, OTHER], YEAR)) == 2
    assert (weeks_of(store, A), weeks_of(store, B), weeks_of(store, OTHER)) == (
        {"a": 1},
        {"b": 2},
        {"c": 1},
    )
    assert store.stale_derived(1, YEAR) == []

    write(store, A, [("a", day, "PM", "C"), ("a2", day, "AM", "E")], "b4")  # replaces a PM, adds a2
    assert weeks_of(store, A) == {"a": 2, "a2": 1}
    assert weeks_of(store, B) == {"b": 2}  # the other school of the shard is kept
    store.rollback("b4")
    assert weeks_of(store, A) == {"a": 1}
    store.rollback("b1")  # A's marks are gone, and so are its weekly counts
    assert weeks_of(store, A) == {} and weeks_of(store, B) == {"b": 2}
    store.rollback("b2")
    assert store.shard_paths(W, 1, [A, B], YEAR) == []  # the emptied shard file is removed
    assert store.stale_derived(1, YEAR) == []


def test_ensure_derived_rebuilds_what_was_written_around_the_store(tmp_path):
    store = AnalyticsStore(tmp_path)
    day = dt.date(2023, 9, 4)
    write(store, A, [("a", day, "AM", "I")], "b1")
    assert store.ensure_derived(1) == []  # up to date: nothing to do

    # Marks written straight to Parquet (a bulk load, a store from before weekly counts).
    path = store.partition_dir("attendance_marks", 1, B, YEAR)
    path.mkdir(parents=True)
    pq.write_table(marks_table([("b", day, "AM", "O")], B), path / "data.parquet")
    assert store.stale_derived(1, YEAR) == [(W, derived.shard_of(B))]
    assert store.ensure_derived(1) == [(YEAR, W, derived.shard_of(B))]
    assert weeks_of(store, B) == {"b": 0} and weeks_of(store, A) == {"a": 1}
    assert store.stale_derived(1, YEAR) == []

    # An older format version is rebuilt too.
    shard = store.shard_path(W, 1, derived.shard_of(A), YEAR)
    table = pq.read_table(shard)
    meta = derived.read_metadata(table.schema)
    pq.write_table(
        table.replace_schema_metadata(
            {derived.METADATA_KEY: __import__("json").dumps({**meta, "version": 0}).encode()}
        ),
        shard,
    )
    assert store.stale_derived(1, YEAR) == [(W, derived.shard_of(A))]
    assert store.ensure_derived(1, YEAR) == [(YEAR, W, derived.shard_of(A))]
    assert weeks_of(store, A) == {"a": 1}


def test_a_batch_across_shards_writes_each_school_to_its_own_shard(tmp_path):
    store = AnalyticsStore(tmp_path)
    day = dt.date(2023, 9, 4)
    store.write_batch(
        dataset="attendance_marks",
        trust_id=1,
        academic_year=YEAR,
        batch_id="b1",
        tables={
            A: marks_table([("a", day, "AM", "I")], A),
            OTHER: marks_table([("c", day, "AM", "M"), ("c", day, "PM", "C")], OTHER),
        },
    )
    for urn, want in ((A, {"a": 1}), (OTHER, {"c": 2})):
        shard = pq.read_table(store.shard_path(W, 1, derived.shard_of(urn), YEAR))
        assert set(shard["school_urn"].to_pylist()) == {urn}
        assert list(derived.read_metadata(shard.schema)["sources"]) == [str(urn)]
        assert weeks_of(store, urn) == want
    assert store.stale_derived(1, YEAR) == []
    store.rollback("b1")
    assert store.shard_paths(W, 1, [A, OTHER], YEAR) == [] and store.stale_derived(1, YEAR) == []


def test_files_written_around_the_store_are_read_leniently_and_never_block_an_import(tmp_path):
    """A bulk load may leave other Parquet files in a school's partition (readers of the store
    read them all). Their marks count once, bad rows are left out and counted, and nothing in
    them stops another import or the refresh."""
    store = AnalyticsStore(tmp_path)
    day = dt.date(2023, 9, 4)
    write(store, A, [("a", day, "AM", "I"), ("a", day, "PM", "/")], "b1")
    folder = store.partition_dir("attendance_marks", 1, A, YEAR)
    # The same two marks again (counted once), a mark a week later in a subfolder, and rows
    # the store would never have accepted: outside the year, an unknown code, no pupil.
    pq.write_table(
        marks_table(
            [
                ("a", day, "AM", "I"),
                ("a", day, "PM", "/"),
                ("a", dt.date(2024, 9, 2), "AM", "I"),
                ("a", day, "AM", "H"),
            ],
            A,
        ),
        folder / "history.parquet",
    )
    (folder / "load=2").mkdir()
    pq.write_table(
        marks_table([("a", day + dt.timedelta(days=7), "AM", "O")], A),
        folder / "load=2" / "part-0.parquet",
    )
    pq.write_table(pa.table({"something": [1, 2]}), folder / "notes.parquet")  # not marks
    table = marks_table([("x", day, "AM", "I")])
    table = table.set_column(1, "date", pa.array([None], pa.date32()))
    pq.write_table(table, folder / "broken.parquet")
    assert store.stale_derived(1, YEAR) == [(W, derived.shard_of(A))]
    store.ensure_derived(1, YEAR)
    weeks = pq.read_table(store.shard_path(W, 1, derived.shard_of(A), YEAR))
    a = weeks.filter(pa.compute.equal(weeks["pupil_key"], "a"))
    assert derived.sessions_between(a, "authorised", FIRST, LAST, YEAR).tolist() == [1]
    assert derived.sessions_between(a, "unauthorised", FIRST, LAST, YEAR).tolist() == [1]
    assert derived.sessions_between(a, "possible", FIRST, LAST, YEAR).tolist() == [3]
    # 2 repeated marks, 1 outside the year, 1 unknown code, 2 rows of a non-marks file, 1 without a date
    assert derived.read_metadata(weeks.schema)["ignored"] == {str(A): 7}

    # An import for another school of the same shard is not held up by A's files.
    write(store, B, [("b", day, "AM", "I")], "b2")
    assert weeks_of(store, B) == {"b": 1} and weeks_of(store, A) == {"a": 1}
    assert store.stale_derived(1, YEAR) == []


def test_each_dataset_has_a_shard_copy_kept_in_step(tmp_path, validate):
    """The refresh reads every dataset from shards of up to 256 schools (not one file per
    school); imports and rollbacks rewrite the copies in the same swap."""
    from trustwide.data.tests.conftest import CHAR_HEADER, URN, char_rows, to_csv

    store = AnalyticsStore(tmp_path)
    result = validate(
        to_csv(CHAR_HEADER, char_rows()), dataset="characteristics", file_name="c.csv"
    )
    store.write_batch(
        dataset="characteristics",
        trust_id=1,
        academic_year=YEAR,
        tables=result.tables,
        batch_id="c1",
    )
    copy = pq.read_table(store.shard_path("characteristics", 1, derived.shard_of(URN), YEAR))
    stored = store.read("characteristics", 1, URN, YEAR)
    assert copy.num_rows == 3
    assert copy.select(stored.column_names).sort_by("pupil_key").to_pylist() == (
        stored.sort_by("pupil_key").to_pylist()
    )
    assert store.stale_derived(1, YEAR) == []
    store.rollback("c1")
    assert store.shard_paths("characteristics", 1, [URN], YEAR) == []


def test_a_copy_reads_other_files_as_a_kpi_reader_would(tmp_path):
    store = AnalyticsStore(tmp_path)
    folder = store.partition_dir("statutory", 1, A, YEAR)
    folder.mkdir(parents=True)
    # No value_text column (null in the copy) and one row filed under another school's URN.
    pq.write_table(
        pa.table(
            {
                "pupil_key": ["p1", "p2"],
                "school_urn": pa.array([A, B], pa.int32()),
                "measure": ["KS4_ATT8", "KS4_ATT8"],
                "value_num": [51.5, 40.0],
            }
        ),
        folder / "bulk.parquet",
    )
    store.ensure_derived(1, YEAR)
    copy = pq.read_table(store.shard_path("statutory", 1, derived.shard_of(A), YEAR))
    assert copy.select(
        ["pupil_key", "school_urn", "academic_year", "value_num", "value_text"]
    ).to_pylist() == [
        {
            "pupil_key": "p1",
            "school_urn": A,
            "academic_year": YEAR,
            "value_num": 51.5,
            "value_text": None,
        }
    ]
    assert derived.read_metadata(copy.schema)["ignored"] == {str(A): 1}


def test_an_unreadable_file_around_the_store_is_left_out_not_fatal(tmp_path):
    """Values that do not convert, duplicated columns or a broken link in one school's folder:
    that file is left out (and counted); other schools' imports, rollbacks and the rebuild
    all still work."""
    store = AnalyticsStore(tmp_path)
    day = dt.date(2023, 9, 4)
    write(store, B, [("b", day, "AM", "I")], "b1")
    marks_folder = store.partition_dir("attendance_marks", 1, A, YEAR)
    marks_folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"pupil_key": ["a"], "date": ["04/09/2023"], "session": ["AM"], "code": ["I"]}),
        marks_folder / "legacy.parquet",
    )  # a text date
    chars_folder = store.partition_dir("characteristics", 1, A, YEAR)
    chars_folder.mkdir(parents=True)
    duplicated = pa.Table.from_arrays(
        [pa.array(["a"]), pa.array(["b"])], names=["pupil_key", "pupil_key"]
    )
    pq.write_table(duplicated, chars_folder / "twice.parquet")
    (chars_folder / "gone.parquet").symlink_to(tmp_path / "nowhere.parquet")

    write(store, B, [("b", day, "PM", "O")], "b2")  # same shard as A
    assert weeks_of(store, B) == {"b": 1}
    store.rollback("b2")
    assert weeks_of(store, B) == {"b": 1}
    store.ensure_derived(1, YEAR)
    assert store.stale_derived(1, YEAR) == []  # the broken link is recorded as such
    (chars_folder / "gone.parquet").unlink()
    assert store.stale_derived(1, YEAR) == [("characteristics", derived.shard_of(A))]
    store.ensure_derived(1, YEAR)
    assert store.stale_derived(1, YEAR) == []
    meta = derived.read_metadata(pq.read_schema(store.shard_path(W, 1, derived.shard_of(A), YEAR)))
    assert meta["ignored"] == {str(A): 1}
    meta = derived.read_metadata(
        pq.read_schema(store.shard_path("characteristics", 1, derived.shard_of(A), YEAR))
    )
    assert meta["ignored"] == {str(A): 1}


def test_rebuild_rederives_and_a_schema_change_makes_shards_stale(tmp_path, monkeypatch):
    store = AnalyticsStore(tmp_path)
    day = dt.date(2023, 9, 4)
    write(store, A, [("a", day, "AM", "I")], "b1")
    real = derived.attendance_weeks

    def doubled(marks, **kw):  # stands in for a corrected derivation
        rows = real(marks, **kw)
        for i in range(3, rows.num_columns):
            rows = rows.set_column(i, rows.column_names[i], pa.compute.multiply(rows[i], 2))
        return rows

    monkeypatch.setattr(derived, "attendance_weeks", doubled)
    assert store.ensure_derived(1, YEAR) == []  # nothing stale
    assert store.ensure_derived(1, YEAR, rebuild=True, names=[W]) == [
        (YEAR, W, derived.shard_of(A))
    ]
    assert weeks_of(store, A) == {"a": 2}  # really derived again, not copied from the old shard
    monkeypatch.undo()

    # A shard written under another schema (a column added to a dataset) is stale.
    shard = store.shard_path(W, 1, derived.shard_of(A), YEAR)
    table = pq.read_table(shard)
    meta = derived.read_metadata(table.schema)
    pq.write_table(
        table.replace_schema_metadata(
            {derived.METADATA_KEY: __import__("json").dumps({**meta, "schema": "another"}).encode()}
        ),
        shard,
    )
    assert (W, derived.shard_of(A)) in store.stale_derived(1, YEAR)
    store.ensure_derived(1, YEAR)
    assert weeks_of(store, A) == {"a": 1} and store.stale_derived(1, YEAR) == []


def test_assessment_bands_pivot_each_pupils_judgements():
    def rows(*items):
        keys, terms, subjects, judgements, *urns = zip(*[(*i, A)[:5] for i in items], strict=True)
        return pa.table(
            {
                "pupil_key": list(keys),
                "term": list(terms),
                "subject": list(subjects),
                "judgement": list(judgements),
                "school_urn": pa.array(urns[0], pa.int32()),
                "academic_year": pa.array([YEAR] * len(keys), pa.int16()),
            }
        )

    store_rows = rows(
        ("p1", "autumn", "reading", "WTS"),
        ("p1", "spring", "reading", "EXS"),
        ("p2", "summer", "maths", None),  # a score-only row: no judgement
        ("p3", "autumn", "drama", "GDS"),
    )  # not a known subject
    bulk = rows(
        ("p1", "autumn", "reading", "GDS"),  # judged twice: the higher band
        ("p4", "autumn", "reading", "EXS", B),
    )  # another school's row
    table, left_out = derived.assessment_bands([store_rows, bulk], school_urn=A, academic_year=YEAR)
    assert table.schema.equals(derived.BANDS_SCHEMA)
    assert table["pupil_key"].to_pylist() == ["p1"]
    p1 = table.to_pylist()[0]
    assert (p1["reading_autumn"], p1["reading_spring"], p1["reading_summer"]) == (3, 2, None)
    assert p1["maths_autumn"] is None and left_out == 1
