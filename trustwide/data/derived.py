"""Derived datasets the store keeps beside the imported ones, for the KPI refresh.

The imported datasets are stored one file per school (data/store.py). A national-size trust
has 17,000 schools, and opening 17,000 small files costs more than reading their rows, so
the store also keeps, for every dataset a KPI refresh reads, a *shard*: the rows of up to
SHARD_URNS consecutive URNs in one file,

    <root>/_shards/<name>/trust=<t>/shard=<urn // SHARD_URNS>/year=<y>/data.parquet

rewritten in the same atomic swap as the school partitions it comes from (imports and
rollbacks), and rebuilt where missing or stale (``AnalyticsStore.ensure_derived``). Each
shard's metadata records the format VERSION and, per school, the files its rows come from
(path, size, modification time), so a file written around the store makes it stale.

Three kinds (SOURCES):

- a copy (characteristics, attendance_summaries, statutory, transitions): the school's rows as
  stored, in the dataset's schema (``shard_copy``);
- assessment_bands, from assessments: one row per pupil with, for each known subject
  (schemas.SUBJECTS) and term, the band of the pupil's teacher-assessment judgement (PRE 0,
  WTS 1, EXS 2, GDS 3; the higher if judged twice; null if none): the pivot a refresh would
  otherwise do over every judgement (``assessment_bands``);
- attendance_weeks, from attendance_marks: the marks of a pupil at a school reduced to
  cumulative session counts by week and weekday, so a refresh reads one small row per pupil
  instead of every mark (about 380 a year), and still gets the exact count for any date
  range: a term with trust-set dates, the year to any cut-off date, the year.

attendance_weeks format, per (school_urn, academic_year, pupil_key), for each class in
CLASSES (possible, authorised, unauthorised; decided by codes.py exactly as DfE counts:
attending and approved-activity codes and absence codes are possible sessions, D and the
not-counted codes are not) and each week w = 0..WEEKS-1 (week 0 starts on the Monday on or
before 1 September), one int64 column ``<class>_w<ww>``: byte d (bits 8d..8d+7, d = 0
Monday .. 6 Sunday) holds the number of the pupil's sessions of that class on weekday d in
weeks 0..w. A day has at most two sessions (AM, PM), so a byte holds at most 2 x 54 = 108.

To count sessions on days a..b: with P(day) = C[w-1] + ((C[w] - C[w-1]) & low(d)) for
day = (week w, weekday d), C[-1] = 0 and low(d) the bytes 0..d, the count is the byte sum of
P(b) - P(a-1) (every byte only grows with the day, so the subtraction never borrows). See
``sessions_between`` (numpy, for tests and readers) and the engine's Ibis version.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trustwide.data import codes
from trustwide.data.schemas import DATASETS, JUDGEMENTS, SUBJECTS, TERMS

ATTENDANCE_WEEKS = "attendance_weeks"
ASSESSMENT_BANDS = "assessment_bands"
SHARDS_DIR = "_shards"
# Derived dataset -> the imported dataset it comes from.
SOURCES = {
    "characteristics": "characteristics",
    ATTENDANCE_WEEKS: "attendance_marks",
    "attendance_summaries": "attendance_summaries",
    ASSESSMENT_BANDS: "assessments",
    "statutory": "statutory",
    "transitions": "transitions",
}
NAMES = tuple(SOURCES)
VERSION = 2
WEEKS = 54  # 1 Sep .. 31 Aug is at most 366 days from a Monday up to 6 days earlier
CLASSES = ("possible", "authorised", "unauthorised")
SHARD_URNS = 256
BYTE = 8
METADATA_KEY = b"trustwide"

_EPOCH = date(1970, 1, 1)


def week_origin(academic_year: int) -> date:
    """Monday of week 0: the Monday on or before 1 September."""
    first = date(academic_year, 9, 1)
    return first - timedelta(days=first.weekday())


def week_and_day(day: date, academic_year: int) -> tuple[int, int]:
    offset = (day - week_origin(academic_year)).days
    return offset // 7, offset % 7


def column(cls: str, week: int) -> str:
    return f"{cls}_w{week:02d}"


COLUMNS = tuple(column(c, w) for c in CLASSES for w in range(WEEKS))

SCHEMA = pa.schema(
    [
        pa.field("school_urn", pa.int32(), nullable=False),
        pa.field("academic_year", pa.int16(), nullable=False),
        pa.field("pupil_key", pa.string(), nullable=False),
        *[pa.field(c, pa.int64(), nullable=False) for c in COLUMNS],
    ]
)


def shard_of(urn: int) -> int:
    return int(urn) // SHARD_URNS


def low_mask(weekday: int) -> int:
    """The bytes of weekdays 0..weekday."""
    return (1 << (BYTE * (weekday + 1))) - 1


# Class of each code: (possible, authorised, unauthorised).
_CLASS_OF = {
    c: (c in codes.ATTENDING or c in codes.ABSENT, c in codes.AUTHORISED, c in codes.UNAUTHORISED)
    for c in codes.ALL_CODES
}


MARK_COLUMNS = pa.schema(
    [
        ("pupil_key", pa.string()),
        ("date", pa.date32()),
        ("session", pa.string()),
        ("code", pa.string()),
    ]
)


def clean_marks(tables: list[pa.Table], academic_year: int) -> tuple[pa.Table, int]:
    """One school's marks as the weekly counts take them, from `tables` in order of priority
    (the store's own data first, then any other files a bulk load left in the partition).

    The store's own rows are validated on import; other files are read leniently, as a KPI
    reader would: a row without a pupil, date or code, with a session other than AM or PM, a
    code DfE does not define, or a date outside the academic year is left out, and a mark
    given twice (same pupil, date and session) counts once, the first table's. Returns the
    marks (MARK_COLUMNS) and how many rows were left out.
    """
    usable, unusable = [], 0
    for t in tables:
        converted = _conform(t, MARK_COLUMNS)
        if converted is None:
            unusable += t.num_rows
        elif converted.num_rows:
            usable.append(converted)
    if not usable:
        return MARK_COLUMNS.empty_table(), unusable
    marks = pa.concat_tables(usable).combine_chunks()
    total = marks.num_rows + unusable
    session = pc.utf8_upper(marks["session"])
    ok = pc.and_(
        pc.and_(pc.is_valid(marks["pupil_key"]), pc.is_valid(marks["date"])),
        pc.and_(
            pc.is_in(session, pa.array(["AM", "PM"])),
            pc.is_in(marks["code"], pa.array(sorted(codes.ALL_CODES))),
        ),
    )
    first, last = date(academic_year, 9, 1), date(academic_year + 1, 8, 31)
    ok = pc.and_(
        ok,
        pc.and_(
            pc.greater_equal(marks["date"], pa.scalar(first, pa.date32())),
            pc.less_equal(marks["date"], pa.scalar(last, pa.date32())),
        ),
    )
    ok = pc.fill_null(ok, False)
    marks = marks.set_column(2, "session", session).filter(ok)
    if marks.num_rows:
        pupil = (
            pc.dictionary_encode(marks["pupil_key"].combine_chunks())
            .indices.to_numpy()
            .astype(np.int64)
        )
        day = marks["date"].cast(pa.int32()).to_numpy().astype(np.int64) - (first - _EPOCH).days
        pm = pc.equal(marks["session"], "PM").to_numpy(zero_copy_only=False).astype(np.int64)
        key = (pupil * 400 + day) * 2 + pm
        _, keep = np.unique(key, return_index=True)  # the first occurrence of each mark
        if len(keep) < marks.num_rows:
            marks = marks.take(pa.array(np.sort(keep)))
    return marks, total - marks.num_rows


def attendance_weeks(marks: pa.Table, *, school_urn: int, academic_year: int) -> pa.Table:
    """The attendance_weeks rows of one school's year from its marks (pupil_key, date, code;
    clean_marks gives them for files written around the store).

    One row per pupil with any mark (a pupil whose marks are all not-possible sessions has a
    row of zeros), sorted by pupil_key. Raises ValueError for a date outside the academic
    year, a code the store would not have accepted or more than two sessions on a day.
    """
    n_marks = marks.num_rows
    if n_marks == 0:
        return SCHEMA.empty_table()
    pupils = pc.dictionary_encode(marks["pupil_key"].cast(pa.string()).combine_chunks())
    keys = pupils.dictionary
    order = pc.array_sort_indices(keys).to_numpy()
    rank = np.empty(len(keys), np.int64)
    rank[order] = np.arange(len(keys))  # pupils in key order
    pupil = rank[pupils.indices.to_numpy()]

    origin = (week_origin(academic_year) - _EPOCH).days
    day = (
        marks["date"]
        .cast(pa.date32())
        .combine_chunks()
        .cast(pa.int32())
        .to_numpy(zero_copy_only=False)
        .astype(np.int64)
        - origin
    )
    first = (date(academic_year, 9, 1) - week_origin(academic_year)).days
    last = (date(academic_year + 1, 8, 31) - week_origin(academic_year)).days
    outside = (day < first) | (day > last)
    if outside.any():
        bad = marks["date"].combine_chunks()[int(np.flatnonzero(outside)[0])].as_py()
        raise ValueError(
            f"school {school_urn}: a mark dated {bad} is outside academic year "
            f"{academic_year}/{academic_year + 1}"
        )

    code = pc.dictionary_encode(marks["code"].cast(pa.string()).combine_chunks())
    try:
        classes = np.array([_CLASS_OF[c] for c in code.dictionary.to_pylist()], bool)
    except KeyError as exc:
        raise ValueError(f"school {school_urn}: unknown attendance code {exc.args[0]!r}") from None
    code_ix = code.indices.to_numpy()

    n = len(keys)
    slot = pupil * (WEEKS * 7) + day
    shifts = np.left_shift(np.int64(1), BYTE * np.arange(7, dtype=np.int64))
    columns: dict[str, pa.Array] = {
        "school_urn": pa.array(np.full(n, school_urn, np.int32)),
        "academic_year": pa.array(np.full(n, academic_year, np.int16)),
        "pupil_key": keys.take(pa.array(order)),
    }
    for k, cls in enumerate(CLASSES):
        hit = classes[code_ix, k]
        counts = np.bincount(slot[hit], minlength=n * WEEKS * 7).reshape(n, WEEKS, 7)
        if counts.max(initial=0) > 2:
            p, w, wd = np.unravel_index(int(np.argmax(counts)), counts.shape)
            day_of = week_origin(academic_year) + timedelta(days=int(w) * 7 + int(wd))
            raise ValueError(
                f"school {school_urn}: pupil {keys[int(order[p])].as_py()} has more "
                f"than two sessions on {day_of} (AM and PM at most)"
            )
        cumulative = np.cumsum(counts.astype(np.int64) @ shifts.reshape(7, 1), axis=1)[..., 0]
        for w in range(WEEKS):
            columns[column(cls, w)] = pa.array(cumulative[:, w])
    return pa.table(columns, schema=SCHEMA)


def fingerprint(name: str) -> str:
    """Changes with the derived dataset's schema (a column added to a dataset, say), so its
    shards are rebuilt even if VERSION was not raised."""
    import hashlib

    return hashlib.sha256(schema_of(name).to_string().encode()).hexdigest()[:16]


def current(meta: dict | None, name: str) -> bool:
    """Was a shard with this metadata written in the current format?"""
    return bool(meta) and meta.get("version") == VERSION and meta.get("schema") == fingerprint(name)


def with_metadata(
    table: pa.Table, name: str, sources: dict[str, list], ignored: dict[str, int]
) -> pa.Table:
    """Record the format version and, per school (URN as text), the marks files the rows were
    derived from ([path under the year folder, size, mtime_ns] each: a changed, new or missing
    file makes the shard stale) and how many rows clean_marks left out, where any were."""
    meta = {
        "version": VERSION,
        "schema": fingerprint(name),
        "sources": dict(sorted(sources.items())),
        "ignored": dict(sorted(ignored.items())),
    }
    return table.replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})


def read_metadata(schema: pa.Schema) -> dict | None:
    raw = (schema.metadata or {}).get(METADATA_KEY)
    return json.loads(raw) if raw else None


def sessions_between(
    table: pa.Table, cls: str, start: date, end: date, academic_year: int
) -> np.ndarray:
    """Per row of an attendance_weeks table: sessions of class `cls` dated start..end.

    The reference implementation of the read formula in the module docstring (numpy)."""
    n = table.num_rows

    def through(day: date) -> np.ndarray:
        week, weekday = week_and_day(day, academic_year)
        if week < 0:
            return np.zeros(n, np.int64)
        if week >= WEEKS:
            week, weekday = WEEKS - 1, 6
        this = table[column(cls, week)].to_numpy()
        before = table[column(cls, week - 1)].to_numpy() if week else np.zeros(n, np.int64)
        return before + ((this - before) & low_mask(weekday))

    packed = through(end) - through(start - timedelta(days=1))
    total = np.zeros(n, np.int64)
    for d in range(7):
        total += (packed >> (BYTE * d)) & 0xFF
    return total


def band_column(subject: str, term: str) -> str:
    return f"{subject}_{term}"


BANDS_SCHEMA = pa.schema(
    [
        pa.field("school_urn", pa.int32(), nullable=False),
        pa.field("academic_year", pa.int16(), nullable=False),
        pa.field("pupil_key", pa.string(), nullable=False),
        *[pa.field(band_column(s, t), pa.int8()) for s in SUBJECTS for t in TERMS],
    ]
)
_JUDGEMENT_COLUMNS = pa.schema(
    [
        ("pupil_key", pa.string()),
        ("term", pa.string()),
        ("subject", pa.string()),
        ("judgement", pa.string()),
    ]
)


def assessment_bands(
    tables: list[pa.Table], *, school_urn: int, academic_year: int
) -> tuple[pa.Table, int]:
    """One school's assessment_bands rows from its assessments tables (the store's own first).

    A row counts when its subject is one of schemas.SUBJECTS, its term one of TERMS and its
    judgement one of JUDGEMENTS, exactly as stored (the importer normalises them); rows of
    another school or academic year, without a pupil, or from a file whose columns do not
    convert are left out and counted. A pupil judged twice in a subject and term has the
    higher band."""
    usable, left_out = [], 0
    for t in tables:
        if not t.num_rows:
            continue
        converted = _conform(t, _JUDGEMENT_COLUMNS)
        if converted is None:
            left_out += t.num_rows
            continue
        keep = pc.is_valid(converted["pupil_key"])
        for column, value in (("school_urn", school_urn), ("academic_year", academic_year)):
            if column in t.column_names:
                try:
                    keep = pc.and_(
                        keep, pc.fill_null(pc.equal(t[column].cast(pa.int64()), value), False)
                    )
                except (pa.ArrowException, KeyError):
                    keep = pc.and_(keep, False)
        kept = converted.filter(keep)
        left_out += t.num_rows - kept.num_rows
        usable.append(kept)
    if not usable:
        return BANDS_SCHEMA.empty_table(), left_out
    rows = pa.concat_tables(usable).combine_chunks()
    pupils = pc.dictionary_encode(rows["pupil_key"].combine_chunks())
    keys = pupils.dictionary
    pupil = pupils.indices.to_numpy().astype(np.int64)
    subject, term, band = (
        pc.index_in(rows[c].combine_chunks(), pa.array(values)).to_numpy(zero_copy_only=False)
        for c, values in (("subject", SUBJECTS), ("term", TERMS), ("judgement", JUDGEMENTS))
    )
    ok = ~(
        np.isnan(subject.astype(float))
        | np.isnan(term.astype(float))
        | np.isnan(band.astype(float))
    )
    grid = np.full((len(keys), len(SUBJECTS) * len(TERMS)), -1, np.int8)
    slot = subject[ok].astype(np.int64) * len(TERMS) + term[ok].astype(np.int64)
    np.maximum.at(grid, (pupil[ok], slot), band[ok].astype(np.int8))
    # Only pupils with a counted judgement, in key order.
    has = (grid >= 0).any(axis=1)
    order = [i for i in pc.array_sort_indices(keys).to_pylist() if has[i]]
    grid = grid[order]
    n = len(order)
    columns = {
        "school_urn": pa.array(np.full(n, school_urn, np.int32)),
        "academic_year": pa.array(np.full(n, academic_year, np.int16)),
        "pupil_key": keys.take(pa.array(order, pa.int64())),
    }
    for j, (s, t) in enumerate((s, t) for s in SUBJECTS for t in TERMS):
        columns[band_column(s, t)] = pa.array(grid[:, j], pa.int8(), mask=grid[:, j] < 0)
    return pa.table(columns, schema=BANDS_SCHEMA), left_out


def schema_of(name: str) -> pa.Schema:
    if name == ATTENDANCE_WEEKS:
        return SCHEMA
    if name == ASSESSMENT_BANDS:
        return BANDS_SCHEMA
    return _nullable(DATASETS[name].schema)


def source_columns(name: str) -> list[str] | None:
    """Columns to read from a source file for `name` (None: whatever the file has)."""
    return MARK_COLUMNS.names if name == ATTENDANCE_WEEKS else None


def build(
    name: str, tables: list[pa.Table], *, school_urn: int, academic_year: int
) -> tuple[pa.Table, int]:
    """One school's rows of derived dataset `name` from its files' tables (the store's own
    content first). Returns the rows and how many source rows were left out."""
    if name == ATTENDANCE_WEEKS:
        marks, left_out = clean_marks(tables, academic_year)
        return attendance_weeks(marks, school_urn=school_urn, academic_year=academic_year), left_out
    if name == ASSESSMENT_BANDS:
        return assessment_bands(tables, school_urn=school_urn, academic_year=academic_year)
    return shard_copy(name, tables, school_urn=school_urn, academic_year=academic_year)


def shard_copy(
    dataset: str, tables: list[pa.Table], *, school_urn: int, academic_year: int
) -> tuple[pa.Table, int]:
    """A school's rows of `dataset` in its stored schema, from the store's own file and any
    other file a bulk load put in the partition (read as a KPI reader would: a column the file
    lacks is null; a file without pupil_key, or whose columns do not convert, is left out, as
    are rows filed under another school's URN)."""
    schema = DATASETS[dataset].schema
    parts, left_out = [], 0
    for t in tables:
        n = t.num_rows
        if not n:
            continue
        names = t.column_names
        if "pupil_key" not in names or len(set(names)) < len(names):
            left_out += n  # not this dataset's rows, or ambiguous columns
            continue
        filled = t
        for f in schema:
            if f.name not in names:
                value = {
                    "school_urn": (school_urn, pa.int32()),
                    "academic_year": (academic_year, pa.int16()),
                }.get(f.name)
                filled = filled.append_column(
                    f.name,
                    pa.nulls(n, f.type)
                    if value is None
                    else pa.repeat(pa.scalar(value[0], value[1]), n),
                )
        table = _conform(filled, _nullable(schema))
        if table is None:
            left_out += n
            continue
        mine = pc.fill_null(pc.equal(table["school_urn"], school_urn), False)
        kept = table.filter(mine)
        left_out += n - kept.num_rows
        parts.append(kept)
    if not parts:
        return empty(dataset), left_out
    return pa.concat_tables(parts), left_out


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table | None:
    """`table` with exactly `schema`'s columns, converted; None if it has not got them or a
    value does not convert (a file written around the store is then left out whole)."""
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowException, KeyError, ValueError, TypeError):
        return None


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in schema])


def empty(name: str) -> pa.Table:
    return schema_of(name).empty_table()
