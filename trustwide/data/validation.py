"""Validate an import file all-or-nothing: either one pyarrow Table per school, ready for the
analytics store, or every error in the file.

Speed comes from validating distinct values, not rows: a register export of a million marks
has a few thousand pupils, a few hundred dates and a few dozen codes. Each column is
dictionary-encoded once (C++), each distinct value is checked once in Python, and the
verdicts are broadcast back to rows with numpy. Only bad rows ever become Python objects.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trustwide.data import codes
from trustwide.data.parsing import BAD, Invalid, ValueParsers, parse_result
from trustwide.data.reading import FileUnreadable, RawFile, read_file
from trustwide.data.schemas import DATASETS, IMPORT_DATASETS, MEASURES, Dataset, Field

DEFAULT_MAX_ERRORS = 10_000
ECHO_CHARS = 80  # of a value quoted back in a message: a 17 MB cell is not echoed whole
_TEXT_CHARS = 500  # of a problem or expected text, which may embed values
# Distinct values of one column become Python strings; a real file has a few per pupil at
# most, a crafted one could make every cell distinct. Bounds the memory of a validation.
MAX_DISTINCT = 1_000_000


def shown(text: str, limit: int = ECHO_CHARS) -> str:
    """`text` as a message may quote it: at most `limit` characters, control characters
    escaped (a NUL shows as \\x00), and the full length said when cut."""
    head = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return head + (f"... ({len(text):,} characters)" if len(text) > limit else "")


@dataclass(frozen=True)
class ValidationError:
    file_name: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    expected: str

    def __post_init__(self) -> None:
        # Cut here, once, so no caller can store or show a value whole.
        if self.value is not None:
            object.__setattr__(self, "value", shown(str(self.value)))
        if self.column is not None:
            object.__setattr__(self, "column", shown(self.column))
        object.__setattr__(self, "problem", shown(self.problem, _TEXT_CHARS))
        object.__setattr__(self, "expected", shown(self.expected, _TEXT_CHARS))

    @property
    def message(self) -> str:
        where = self.file_name
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        what = f"'{self.value}' {self.problem}" if self.value is not None else self.problem
        return f"{where}: {what} ({self.expected})" if self.expected else f"{where}: {what}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class IdentityRecord:
    """Identifying data kept out of Parquet: it goes to the app database only."""

    pupil_key: str
    upn: str
    school_urn: int
    surname: str | None = None
    forename: str | None = None
    dob: dt.date | None = None


@dataclass
class ValidationResult:
    dataset: str
    file_name: str
    academic_year: int
    tables: dict[int, pa.Table] = field(default_factory=dict)
    identities: list[IdentityRecord] = field(default_factory=list)
    errors: list[ValidationError] = field(default_factory=list)
    # All errors found; `errors` holds the first max_errors of them in file order.
    error_count: int = 0
    row_count: int = 0
    encoding: str = ""
    delimiter: str = ""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def truncated(self) -> bool:
        return self.error_count > len(self.errors)

    @property
    def more_errors(self) -> int:
        """Errors found but not listed in `errors`."""
        return max(self.error_count - len(self.errors), 0)


def pupil_key(upn: str, *, trust_key: bytes | str) -> str:
    """Pseudonymous pupil id: first 16 hex chars of HMAC-SHA256(trust_key, UPN)."""
    key = trust_key.encode() if isinstance(trust_key, str) else trust_key
    return hmac.digest(key, upn.encode(), "sha256").hex()[:16]


def validate_file(
    source: str | os.PathLike | bytes | RawFile,
    *,
    dataset: str,
    file_name: str,
    academic_year: int,
    allowed_school_urns: Iterable[int],
    trust_key: bytes | str,
    mapping: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    max_errors: int = DEFAULT_MAX_ERRORS,
    roll: Callable[[int], AbstractSet[str]] | None = None,
) -> ValidationResult:
    """Validate one uploaded file for `academic_year` (2025 = 2025/26).

    `mapping` maps a default header to the header used in this school's file. Nothing is
    written anywhere: pass `result.tables` to AnalyticsStore.write_batch when `result.ok`.
    A RawFile (string columns already read, as the CTF reader builds them) skips reading.
    `roll(urn)` gives the pupil keys on a school's roll for the year: marks, assessments and
    results for any other pupil are refused (the characteristics file is what puts a pupil
    on the roll, so it is not checked).
    """
    if dataset not in IMPORT_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {IMPORT_DATASETS}")
    spec = DATASETS[dataset]
    result = ValidationResult(dataset=dataset, file_name=file_name, academic_year=academic_year)
    try:
        raw = source if isinstance(source, RawFile) else read_file(source, file_name=file_name)
    except FileUnreadable as exc:
        result.errors.append(ValidationError(file_name, None, None, None, str(exc), ""))
        result.error_count = 1
        return result
    result.encoding, result.delimiter = raw.encoding, raw.delimiter

    positions, missing = _match_headers(spec, raw.headers, mapping or {})
    if not missing and spec.one_of and not any(name in positions for name in spec.one_of):
        headers = [spec.field(name).header for name in spec.one_of]
        missing = [" or ".join(f"'{h}'" for h in headers)]
    if missing:
        named = [h for h in raw.headers if h.strip()]
        found = ", ".join(f"'{shown(h.strip(), 40)}'" for h in named[:30]) or "none"
        if len(named) > 30:
            found += f" and {len(named) - 30:,} more"
        result.errors.append(
            ValidationError(
                file_name,
                1,
                None,
                None,
                "missing required column"
                + ("s " if len(missing) > 1 else " ")
                + ", ".join(m if m.startswith("'") else f"'{m}'" for m in missing),
                f"headers found: {found}",
            )
        )
        result.error_count = 1
        return result

    run = _Run(
        spec=spec,
        raw_headers=raw.headers,
        positions=positions,
        file_name=file_name,
        parsers=ValueParsers(
            academic_year=academic_year,
            today=today or dt.date.today(),
            allowed_urns=frozenset(int(u) for u in allowed_school_urns),
        ),
    )
    for bad in raw.malformed:
        run.add_single(
            bad.row,
            None,
            bad.text[:80],
            f"has {bad.fields} fields",
            f"{bad.expected_fields} fields, like the header",
        )
    try:
        run.encode(raw.table, raw.row_numbers)
        run.uncounted = raw.malformed_more
    except FileUnreadable as exc:
        result.errors = [ValidationError(file_name, None, None, None, str(exc), "")]
        result.error_count = 1
        return result
    result.row_count = run.n_rows
    if run.n_rows == 0 and not raw.malformed:
        result.errors.append(
            ValidationError(
                file_name, None, None, None, "the file has a header row but no data rows", ""
            )
        )
        result.error_count = 1
        return result
    run.check_values()
    run.check_rows()
    run.check_duplicates()
    if roll is not None and spec.name != "characteristics":
        run.check_roll(trust_key, roll)
    result.error_count, result.errors = run.collect_errors(max_errors)
    if result.error_count == 0:
        key = trust_key.encode() if isinstance(trust_key, str) else trust_key
        result.tables, result.identities = run.build(key)
    return result


def _norm(header: str) -> str:
    return " ".join(header.split()).casefold()


def _match_headers(
    spec: Dataset, headers: list[str], mapping: Mapping[str, str]
) -> tuple[dict[str, int], list[str]]:
    by_norm: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(_norm(h), i)
    mapped = {_norm(k): v for k, v in mapping.items()}
    positions: dict[str, int] = {}
    missing: list[str] = []
    for f in spec.fields:
        wanted = mapped.get(_norm(f.header), f.header)
        if _norm(wanted) in by_norm:
            positions[f.name] = by_norm[_norm(wanted)]
        elif f.required:
            missing.append(wanted)
    return positions, missing


@dataclass
class _Column:
    field: Field
    header: str
    uniques: list[str]  # distinct trimmed values
    idx: np.ndarray  # row -> index into uniques
    parsed: list = None  # parsed value per unique (BAD where invalid)
    bad: np.ndarray = None


class _Run:
    """State of one validation run; methods are the steps of validate_file."""

    def __init__(self, *, spec, raw_headers, positions, file_name, parsers):
        self.spec: Dataset = spec
        self.raw_headers = raw_headers
        self.positions = positions
        self.file_name = file_name
        self.parsers: ValueParsers = parsers
        self.columns: dict[str, _Column] = {}
        self.rows = np.zeros(0, dtype=np.int64)
        self.n_rows = 0
        # Error parts: arrays of row positions with one shared problem, or single errors.
        self._bulk: list[tuple[int, np.ndarray, str, np.ndarray, list, list]] = []
        self._single: list[ValidationError] = []
        self.uncounted = 0  # errors counted but not kept in detail (malformed rows)

    # -- encoding --------------------------------------------------------------------------
    def encode(self, table: pa.Table, row_numbers: np.ndarray) -> None:
        for f in self.spec.fields:
            if f.name not in self.positions:
                continue
            pos = self.positions[f.name]
            column = table.column(f"c{pos}")
            uniques, idx = _dictionary(column, header=self.raw_headers[pos].strip())
            self.columns[f.name] = _Column(f, self.raw_headers[pos].strip(), uniques, idx)
        blank_rows = None
        for col in self.columns.values():
            blank_u = np.fromiter(
                (u == "" for u in col.uniques), dtype=bool, count=len(col.uniques)
            )
            rows_blank = blank_u[col.idx]
            blank_rows = rows_blank if blank_rows is None else blank_rows & rows_blank
        if blank_rows is not None and blank_rows.any():
            # Lines of bare delimiters (Excel leaves them) are blank lines, not pupils.
            keep = ~blank_rows
            for col in self.columns.values():
                col.idx = col.idx[keep]
            row_numbers = row_numbers[keep]
        self.rows = row_numbers
        self.n_rows = len(row_numbers)

    # -- checks ----------------------------------------------------------------------------
    def check_values(self) -> None:
        for order, f in enumerate(self.spec.fields):
            col = self.columns.get(f.name)
            if col is None or f.kind == "result":
                continue
            parse = self.parsers.parser(f.kind)
            parsed, problems = [], []
            # One Invalid per distinct refusal, not per distinct value: a file of junk
            # holds as many distinct values as cells.
            same: dict[tuple[str, str], Invalid] = {}
            for value in col.uniques:
                if "\n" in value or "\r" in value:
                    parsed.append(BAD)
                    problems.append(
                        (
                            len(parsed) - 1,
                            Invalid(
                                "spans more than one line",
                                "each value on one line; values spanning lines are not supported",
                            ),
                        )
                    )
                    continue
                if value == "":
                    if f.blank_ok:
                        parsed.append(None)
                        continue
                    parsed.append(BAD)
                    problems.append(
                        (len(parsed) - 1, Invalid("is blank", self.parsers.expected(f.kind)))
                    )
                    continue
                try:
                    parsed.append(parse(value))
                except Invalid as exc:
                    parsed.append(BAD)
                    problems.append(
                        (len(parsed) - 1, same.setdefault((exc.problem, exc.expected), exc))
                    )
            col.parsed = parsed
            col.bad = np.zeros(len(parsed), dtype=bool)
            for u, _exc in problems:
                col.bad[u] = True
            if problems:
                self._add_bulk_from_uniques(order, col, dict(problems))
        if "result" in self.columns:
            self._check_results()

    def _add_bulk_from_uniques(
        self, order: int, col: _Column, problems: dict[int, Invalid]
    ) -> None:
        row_pos = np.flatnonzero(col.bad[col.idx])
        u_of_row = col.idx[row_pos]
        ukeys = list(problems)
        messages = [problems[u] for u in ukeys]
        lookup = np.full(len(col.uniques), -1, dtype=np.int64)
        lookup[ukeys] = np.arange(len(ukeys))
        self._bulk.append(
            (
                order,
                row_pos,
                col.header,
                lookup[u_of_row],
                [col.uniques[u] for u in ukeys],
                messages,
            )
        )

    def _check_results(self) -> None:
        """Statutory results: what is valid depends on the measure in the same row."""
        measure, result = self.columns["measure"], self.columns["result"]
        n_m = max(len(measure.uniques), 1)
        pair = result.idx.astype(np.int64) * n_m + measure.idx
        pairs, pair_idx = np.unique(pair, return_inverse=True)
        parsed, bad, problems = [], np.zeros(len(pairs), dtype=bool), {}
        for i, p in enumerate(pairs.tolist()):
            name = measure.parsed[p % n_m]
            text = result.uniques[p // n_m]
            if name is BAD:
                parsed.append(BAD)  # already reported against the measure column
                continue
            try:
                parsed.append(parse_result(MEASURES[name], text))
            except Invalid as exc:
                parsed.append(BAD)
                bad[i] = True
                problems[i] = exc
        result.parsed = parsed
        # Re-key the result column by (result, measure) pair so build() can take from it.
        result.uniques = [result.uniques[p // n_m] for p in pairs.tolist()]
        result.idx = pair_idx.reshape(-1)
        result.bad = bad
        if problems:
            order = [f.name for f in self.spec.fields].index("result")
            self._add_bulk_from_uniques(order, result, problems)

    def _row_values(self, name: str) -> np.ndarray:
        """Parsed values per row as a numpy object array (for cross-column checks)."""
        col = self.columns[name]
        values = np.empty(len(col.parsed), dtype=object)
        values[:] = col.parsed  # element-wise: parsed values may be tuples
        return values[col.idx]

    def _row_bad(self) -> np.ndarray:
        bad = np.zeros(self.n_rows, dtype=bool)
        for col in self.columns.values():
            if col.bad is not None and len(col.bad):
                bad |= col.bad[col.idx]
        return bad

    def check_rows(self) -> None:
        name = self.spec.name
        ok = ~self._row_bad()
        if name == "attendance_marks":
            code, date = self.columns["code"], self.columns["date"]
            code_no_mark = np.array([p == codes.NO_MARK for p in code.parsed], dtype=bool)
            today = self.parsers.today
            date_past = np.array([p is not BAD and p <= today for p in date.parsed], dtype=bool)
            hit = np.flatnonzero(ok & code_no_mark[code.idx] & date_past[date.idx])
            self._add_rows(
                hit,
                "code",
                "is a blank mark ('-') on a past date",
                "a DfE attendance code; '-' is only allowed for future dates",
            )
        elif name == "attendance_summaries":
            start, end = self._row_values("period_start"), self._row_values("period_end")
            sel = np.flatnonzero(ok)
            back = sel[np.array([end[i] < start[i] for i in sel], dtype=bool)] if len(sel) else sel
            self._add_rows(
                back,
                "period_end",
                "is before the period start",
                "a period end on or after the period start",
            )
            nums = {
                c: self._row_values(c)
                for c in ("possible", "present", "authorised", "unauthorised")
            }
            over = [
                i
                for i in sel
                if nums["present"][i] + nums["authorised"][i] + nums["unauthorised"][i]
                > nums["possible"][i]
            ]
            self._add_rows(
                np.array(over, dtype=np.int64),
                "possible",
                "is less than present + authorised + unauthorised",
                "possible sessions at least the sum of the other counts",
            )
        elif name == "assessments":
            judgement = self._row_values("judgement") if "judgement" in self.columns else None
            score = self._row_values("score") if "score" in self.columns else None
            sel = np.flatnonzero(ok)
            empty = [
                i
                for i in sel
                if (judgement is None or judgement[i] is None)
                and (score is None or score[i] is None)
            ]
            column = "judgement" if "judgement" in self.columns else "score"
            self._add_rows(
                np.array(empty, dtype=np.int64),
                column,
                "is blank",
                "a judgement (PRE, WTS, EXS, GDS) or a score",
            )
        elif (
            name == "characteristics" and "left_on" in self.columns and "joined_on" in self.columns
        ):
            joined, left = self._row_values("joined_on"), self._row_values("left_on")
            sel = np.flatnonzero(ok)
            back = [
                i
                for i in sel
                if joined[i] is not None and left[i] is not None and left[i] < joined[i]
            ]
            self._add_rows(
                np.array(back, dtype=np.int64),
                "left_on",
                "is before the date joined",
                "a leaving date on or after the joining date",
            )

    def check_roll(self, trust_key: bytes | str, roll: Callable[[int], AbstractSet[str]]) -> None:
        """Each row's pupil must be on the roll of the row's school for the year (checked once
        per distinct school and UPN)."""
        ok = ~self._row_bad()
        urn, upn = self.columns["school_urn"], self.columns["upn"]
        rows = np.flatnonzero(ok)
        if not len(rows):
            return
        width = len(upn.uniques)
        pair = urn.idx[rows].astype(np.int64) * width + upn.idx[rows]
        distinct, inverse = np.unique(pair, return_inverse=True)
        rolls: dict[int, AbstractSet[str]] = {}
        off = np.zeros(len(distinct), dtype=bool)
        for i, value in enumerate(distinct.tolist()):
            school, pupil = urn.parsed[value // width], upn.parsed[value % width]
            if school not in rolls:
                rolls[school] = roll(school)
            off[i] = pupil_key(pupil, trust_key=trust_key) not in rolls[school]
        hit = rows[off[inverse.reshape(-1)]]
        if not len(hit):
            return
        year = self.parsers.academic_year
        label = f"{year}/{(year + 1) % 100:02d}"
        by_school: dict[int, list[int]] = {}
        for r in hit.tolist():
            by_school.setdefault(urn.parsed[urn.idx[r]], []).append(r)
        for school, positions in sorted(by_school.items()):
            self._add_rows(
                np.array(positions, dtype=np.int64),
                "upn",
                f"is not on the roll of school {school} for {label}",
                "a pupil in the school's characteristics (census) import for that year",
            )

    def _add_rows(self, row_pos: np.ndarray, name: str, problem: str, expected: str) -> None:
        if not len(row_pos):
            return
        col = self.columns[name]
        order = [f.name for f in self.spec.fields].index(name)
        values = [col.uniques[u] for u in col.idx[row_pos].tolist()]
        self._bulk.append(
            (
                order,
                row_pos,
                col.header,
                np.arange(len(row_pos)),
                values,
                [Invalid(problem, expected)] * len(row_pos),
            )
        )

    def check_duplicates(self) -> None:
        ok = ~self._row_bad()
        key_cols = ["school_urn", "upn", *[k for k in self.spec.natural_key if k != "pupil_key"]]
        key = np.zeros(self.n_rows, dtype=np.int64)
        radix = 1
        for name in key_cols:
            col = self.columns[name]
            canon = _canonical(col.parsed)
            width = int(canon.max()) + 1 if len(canon) else 1
            if radix * width >= 2**62:
                # Too many distinct values to pack into an int64: fall back to numpy rows.
                return self._check_duplicates_rows(key_cols, ok)
            key += canon[col.idx].astype(np.int64) * radix
            radix *= width
        rows = np.flatnonzero(ok)
        self._report_duplicates(rows, key[rows], key_cols)

    def _check_duplicates_rows(self, key_cols: list[str], ok: np.ndarray) -> None:
        stacked = np.stack(
            [_canonical(self.columns[n].parsed)[self.columns[n].idx] for n in key_cols], 1
        )
        rows = np.flatnonzero(ok)
        _, inverse = np.unique(stacked[rows], axis=0, return_inverse=True)
        self._report_duplicates(rows, inverse.reshape(-1), key_cols)

    def _report_duplicates(self, rows: np.ndarray, key: np.ndarray, key_cols: list[str]) -> None:
        if len(rows) < 2:
            return
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        dup = np.flatnonzero(sorted_key[1:] == sorted_key[:-1]) + 1
        if not len(dup):
            return
        # The first row of each run of equal keys: what the duplicate repeats.
        run_start = np.maximum.accumulate(
            np.where(np.r_[True, sorted_key[1:] != sorted_key[:-1]], np.arange(len(order)), 0)
        )
        dup_rows = rows[order[dup]]
        first_rows = rows[order[run_start[dup]]]
        upn = self.columns["upn"]
        extra = [k for k in key_cols if k not in ("school_urn", "upn")]
        what = "mark" if self.spec.name == "attendance_marks" else "row"
        values, messages = [], []
        for r, first in zip(dup_rows.tolist(), first_rows.tolist(), strict=True):
            values.append(upn.uniques[upn.idx[r]])
            detail = "".join(
                f" {shown(self.columns[k].uniques[self.columns[k].idx[r]], 40)}" for k in extra
            )
            messages.append(
                Invalid(
                    f"appears twice: duplicate {what} for this pupil{(' on' + detail) if detail else ''}",
                    f"one {what} per pupil{' per ' + ' and '.join(extra) if extra else ''}; "
                    f"first seen on row {int(self.rows[first])}",
                )
            )
        order_pos = [f.name for f in self.spec.fields].index("upn")
        self._bulk.append(
            (order_pos, dup_rows, upn.header, np.arange(len(dup_rows)), values, messages)
        )

    def add_single(self, row, column, value, problem, expected) -> None:
        self._single.append(ValidationError(self.file_name, row, column, value, problem, expected))

    def collect_errors(self, limit: int) -> tuple[int, list[ValidationError]]:
        total = len(self._single) + sum(len(b[1]) for b in self._bulk) + self.uncounted
        if not total:
            return 0, []
        parts_row, parts_order, parts_part, parts_pos = [], [], [], []
        for p, (order, row_pos, *_rest) in enumerate(self._bulk):
            parts_row.append(self.rows[row_pos])
            parts_order.append(np.full(len(row_pos), order))
            parts_part.append(np.full(len(row_pos), p))
            parts_pos.append(np.arange(len(row_pos)))
        errors = list(self._single)
        if parts_row:
            rows = np.concatenate(parts_row)
            orders = np.concatenate(parts_order)
            parts = np.concatenate(parts_part)
            pos = np.concatenate(parts_pos)
            pick = np.lexsort((orders, rows))[: max(limit - len(errors), 0)]
            for i in pick.tolist():
                order, _row_pos, header, which, values, messages = self._bulk[parts[i]]
                k = int(which[pos[i]])
                exc = messages[k]
                errors.append(
                    ValidationError(
                        self.file_name, int(rows[i]), header, values[k], exc.problem, exc.expected
                    )
                )
        errors.sort(key=lambda e: e.row or 0)
        return total, errors[:limit]

    # -- output ----------------------------------------------------------------------------
    def build(self, trust_key: bytes) -> tuple[dict[int, pa.Table], list[IdentityRecord]]:
        spec, n = self.spec, self.n_rows
        upn = self.columns["upn"]
        keys = [pupil_key(u, trust_key=trust_key) if u is not BAD else "" for u in upn.parsed]
        arrays: dict[str, pa.Array] = {"pupil_key": _take(keys, pa.string(), upn.idx)}
        for f in spec.schema:
            if f.name in ("pupil_key", "school_urn", "academic_year", "batch_id"):
                continue
            if spec.name == "statutory" and f.name in ("value_num", "value_text"):
                result = self.columns["result"]
                pos = 0 if f.name == "value_num" else 1
                arrays[f.name] = _take([p[pos] for p in result.parsed], f.type, result.idx)
                continue
            col = self.columns.get(f.name)
            if col is None:
                arrays[f.name] = pa.nulls(n, f.type)
            else:
                arrays[f.name] = _take(col.parsed, f.type, col.idx)
        urn = self.columns["school_urn"]
        urn_values = np.array([u if u is not BAD else 0 for u in urn.parsed], dtype=np.int64)
        row_urn = urn_values[urn.idx]
        arrays["school_urn"] = pa.array(row_urn.astype(np.int32))
        arrays["academic_year"] = pa.array(np.full(n, self.parsers.academic_year, dtype=np.int16))
        arrays["batch_id"] = pa.array(np.full(n, "", dtype=object), pa.string())
        table = pa.Table.from_arrays([arrays[f.name] for f in spec.schema], schema=spec.schema)
        tables: dict[int, pa.Table] = {}
        schools = np.unique(row_urn)
        if len(schools) == 1:
            tables[int(schools[0])] = table
        else:
            order = np.argsort(row_urn, kind="stable")
            table = table.take(pa.array(order))
            bounds = np.searchsorted(row_urn[order], schools, side="left").tolist() + [n]
            for s, start, stop in zip(schools.tolist(), bounds[:-1], bounds[1:], strict=True):
                tables[int(s)] = table.slice(start, stop - start)
        return tables, self._identities(keys, row_urn)

    def _identities(self, keys: list[str], row_urn: np.ndarray) -> list[IdentityRecord]:
        upn = self.columns["upn"]
        width = len(upn.uniques)
        combined = np.unique(row_urn * width + upn.idx)  # int64 unique: sorts fast
        pairs = np.stack([combined // width, combined % width], 1)
        extra = {}
        if self.spec.name == "characteristics":
            # One characteristics row per pupil per school (duplicates are refused above).
            first_row = {}
            for r, (u, p) in enumerate(zip(row_urn.tolist(), upn.idx.tolist(), strict=True)):
                first_row.setdefault((u, p), r)
            get = {n: self._row_values(n) for n in ("surname", "forename", "dob")}
            extra = {
                k: (get["surname"][r], get["forename"][r], get["dob"][r])
                for k, r in first_row.items()
            }
        out = []
        for u, p in pairs.tolist():
            surname, forename, dob = extra.get((u, p), (None, None, None))
            out.append(IdentityRecord(keys[p], upn.parsed[p], int(u), surname, forename, dob))
        return out


def _dictionary(column: pa.ChunkedArray, *, header: str) -> tuple[list[str], np.ndarray]:
    """Distinct trimmed values and the index of each row's value among them."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(array)
    if len(encoded.dictionary) > MAX_DISTINCT:
        raise FileUnreadable(
            f"the file's column '{shown(header, 40)}' holds more than "
            f"{MAX_DISTINCT:,} different values: split the file"
        )
    raw_uniques = encoded.dictionary.to_pylist()
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    uniques: list[str] = []
    seen: dict[str, int] = {}
    remap = np.empty(len(raw_uniques), dtype=np.int64)
    for i, value in enumerate(raw_uniques):
        value = (value or "").strip()
        remap[i] = seen.setdefault(value, len(uniques))
        if remap[i] == len(uniques):
            uniques.append(value)
    return uniques, remap[indices]


def _canonical(parsed: list) -> np.ndarray:
    """Id per unique so that values parsing to the same thing ('4/9/23', '2023-09-04') match."""
    seen: dict = {}
    return np.array(
        [seen.setdefault(("bad", i) if p is BAD else p, len(seen)) for i, p in enumerate(parsed)],
        dtype=np.int64,
    )


def _take(values: list, type_: pa.DataType, idx: np.ndarray) -> pa.Array:
    clean = [None if v is BAD else v for v in values]
    return pa.array(clean, type_).take(pa.array(idx))
