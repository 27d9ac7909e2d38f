"""Reading the files a school's MIS exports (CSV or Excel) into a table of strings.

Every cell stays a string here; validation.py decides what it means. CSV goes through
pyarrow.csv (multi-threaded, no per-row Python), so a million-row register export reads in
well under a second. Encoding: UTF-8 (with or without BOM), else Windows-1252.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from trustwide.data import codes
from trustwide.data.schemas import ASSESSMENT_SCORE_RANGE, DESTINATIONS, MEASURES, PHASES

DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 64 * 1024


class FileUnreadable(Exception):
    """The file cannot be read as a table at all (empty, not CSV/Excel, corrupt)."""


@dataclass
class MalformedRow:
    row: int | None
    text: str
    fields: int
    expected_fields: int


@dataclass
class RawFile:
    headers: list[str]
    # One string column per header, named c0, c1, ...; blank cells are "".
    table: pa.Table
    # File row number of each table row as the user sees it (header = row 1).
    row_numbers: np.ndarray
    malformed: list[MalformedRow] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def read_file(source: str | os.PathLike | bytes, *, file_name: str) -> RawFile:
    data = Path(source).read_bytes() if isinstance(source, str | os.PathLike) else bytes(source)
    if not data.strip():
        raise FileUnreadable("the file is empty")
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    return _read_csv(data)


def _decode(data: bytes) -> tuple[bytes, str]:
    """Return UTF-8 bytes without BOM and the encoding the file was in."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        data.decode("utf-8")
        return data, encoding
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV" as Windows-1252. Five byte values are undefined there;
    # latin-1 maps every byte, so it is the last resort rather than refusing the file.
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8"), "latin-1"


def _sniff_delimiter(sample: str, header_line: str) -> str:
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
        if delimiter in header_line:
            return delimiter
    except csv.Error:
        pass
    # Fallback: the delimiter that splits the header into the most columns.
    return max(DELIMITERS, key=header_line.count)


def _read_csv(data: bytes) -> RawFile:
    data, encoding = _decode(data)
    sample = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    lines = sample.splitlines()
    if not lines:
        raise FileUnreadable("the file has no header row")
    # A sample cut mid-line would confuse the sniffer; drop the partial last line.
    if len(data) > _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]
    header_line = lines[0]
    delimiter = _sniff_delimiter("\n".join(lines[:50]), header_line)
    headers = next(csv.reader([header_line], delimiter=delimiter))
    names = [f"c{i}" for i in range(len(headers))]

    def convert() -> pacsv.ConvertOptions:
        return pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

    def read(use_threads: bool) -> tuple[pa.Table, list[MalformedRow]]:
        bad: list[MalformedRow] = []

        def on_invalid(row) -> str:
            bad.append(MalformedRow(row.number, row.text, row.actual_columns, row.expected_columns))
            return "skip"

        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(
                skip_rows=1, column_names=names, use_threads=use_threads,
                block_size=16 << 20,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True,
                newlines_in_values=False, ignore_empty_lines=True, invalid_row_handler=on_invalid,
            ),
            convert_options=convert(),
        )
        return table, bad

    try:
        table, malformed = read(True)
        if malformed and any(m.row is None for m in malformed):
            # Row numbers of bad rows are only known to a single-threaded read.
            table, malformed = read(False)
    except pa.ArrowInvalid as exc:
        raise FileUnreadable(f"the file could not be read as CSV ({exc})") from exc
    row_numbers = _data_row_numbers(data, table.num_rows, malformed)
    # Whitespace-only lines are blank lines too, not errors.
    malformed_real = [m for m in malformed if m.text.strip(" \t\r\n" + delimiter)]
    return RawFile(
        headers=headers,
        table=table,
        row_numbers=row_numbers,
        malformed=malformed_real,
        encoding=encoding,
        delimiter=delimiter,
    )


def _data_row_numbers(data: bytes, n_rows: int, malformed: list[MalformedRow]) -> np.ndarray:
    """File row numbers of the parsed rows (header = 1).

    pyarrow skips blank lines and numbers rows among the non-blank ones, so both its row
    numbers and ours need the physical line of each non-blank line. Rewrites the row of each
    malformed row in place.
    """
    if not malformed and b"\n\n" not in data and b"\n\r\n" not in data and not data.startswith(b"\n"):
        return np.arange(2, n_rows + 2, dtype=np.int64)
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    if len(buf) and buf[-1] != 10:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    first = buf[np.minimum(starts, len(buf) - 1)]
    blank = (lengths == 0) | ((lengths == 1) & (first == 13))
    lines = np.flatnonzero(~blank) + 1  # physical numbers of the lines pyarrow counts
    dropped = []
    for m in malformed:
        if m.row is not None and 0 < m.row <= len(lines):
            dropped.append(m.row - 1)
            m.row = int(lines[m.row - 1])
    keep = np.ones(len(lines), dtype=bool)
    keep[0] = False  # header
    keep[dropped] = False
    numbers = lines[keep]
    if len(numbers) != n_rows:
        # Quoted values spanning lines: fall back to counting rows.
        return np.arange(2, n_rows + 2, dtype=np.int64)
    return numbers.astype(np.int64)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores URNs and marks as floats; 100001.0 must read as 100001.
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> RawFile:
    import openpyxl  # imported lazily: only Excel uploads need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise FileUnreadable(f"the file could not be read as Excel .xlsx ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise FileUnreadable("the first worksheet is empty")
        headers = [_cell(v) for v in header_row]
        while headers and headers[-1] == "":
            headers.pop()
        width = len(headers)
        columns: list[list[str]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for number, row in enumerate(rows, start=2):
            cells = [_cell(v) for v in row[:width]]
            if not any(cells):
                continue
            cells.extend([""] * (width - len(cells)))
            for column, cell in zip(columns, cells, strict=True):
                column.append(cell)
            numbers.append(number)
    finally:
        workbook.close()
    table = pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    return RawFile(
        headers=headers,
        table=table,
        row_numbers=np.array(numbers, dtype=np.int64),
        encoding="xlsx",
        delimiter="",
    )


# -- cell values ---------------------------------------------------------------------------
# Parsers turn one distinct trimmed cell text into its stored value or raise Invalid.

BAD = object()  # marks a value that failed to parse


class Invalid(Exception):
    def __init__(self, problem: str, expected: str):
        super().__init__(problem)
        self.problem = problem
        self.expected = expected


_DATE_FORMATS = "dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd or dd/mm/yy"
_TRUE = {"Y", "YES", "TRUE", "T", "1"}
_FALSE = {"N", "NO", "FALSE", "F", "0"}
_YEAR_GROUPS = {"N": -1, "N1": -1, "N2": -1, "NURSERY": -1, "-1": -1,
                "R": 0, "YR": 0, "RECEPTION": 0, "0": 0}
_SEX = {"F": "F", "FEMALE": "F", "GIRL": "F", "M": "M", "MALE": "M", "BOY": "M"}
_SEN = {"N": "N", "NONE": "N", "NO": "N", "K": "K", "SEN SUPPORT": "K", "SUPPORT": "K",
        "E": "E", "EHC": "E", "EHCP": "E", "EHC PLAN": "E", "S": "E", "STATEMENT": "E"}
_PRIOR = {"LOW": "low", "L": "low", "LOWER": "low", "MIDDLE": "middle", "M": "middle",
          "MID": "middle", "HIGH": "high", "H": "high", "HIGHER": "high"}
_SESSIONS = {"AM": "AM", "A": "AM", "MORNING": "AM", "PM": "PM", "P": "PM", "AFTERNOON": "PM"}
_JUDGEMENTS = {"PRE": "PRE", "BLW": "PRE", "BELOW": "PRE", "WTS": "WTS", "WORKING TOWARDS": "WTS",
               "EXS": "EXS", "EXPECTED": "EXS", "GDS": "GDS", "GREATER DEPTH": "GDS"}
_SUBJECT_ALIASES = {"mathematics": "maths", "math": "maths", "spag": "gps",
                    "grammar, punctuation and spelling": "gps", "english language": "english"}


def parse_uk_date(text: str) -> dt.date | None:
    """dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd (optionally with a midnight time, as
    Excel writes it) or dd/mm/yy; None when the text is none of these. Never mm/dd."""
    text = text.strip()
    if " " in text or "T" in text:
        text, _, time = text.replace("T", " ").partition(" ")
        if time.strip() not in ("", "00:00", "00:00:00", "00:00:00.000"):
            return None
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    a, b, c = parts
    try:
        if len(a) == 4:
            return dt.date(int(a), int(b), int(c))
        if len(c) == 4:
            return dt.date(int(c), int(b), int(a))
        if len(c) == 2:
            year = int(c)
            return dt.date(2000 + year if year < 70 else 1900 + year, int(b), int(a))
    except ValueError:
        return None
    return None


def parse_result(measure, text: str) -> tuple[float | None, str | None]:
    """(value_num, value_text) for a statutory result of `measure` (a schemas.Measure)."""
    upper = text.upper()
    if upper in measure.texts:
        return None, upper
    expected = []
    if measure.low is not None:
        expected.append(f"{'a whole number' if measure.integer else 'a number'} from "
                        f"{measure.low:g} to {measure.high:g}")
    if measure.texts:
        expected.append("one of " + ", ".join(measure.texts))
    expected_text = f"{measure.label}: " + " or ".join(expected)
    if measure.low is None:
        raise Invalid(f"is not a valid result for {measure.name}", expected_text)
    try:
        number = float(text)
    except ValueError:
        raise Invalid(f"is not a number or result code for {measure.name}", expected_text) from None
    if measure.integer and not number.is_integer():
        raise Invalid(f"is not a whole number for {measure.name}", expected_text)
    if not measure.low <= number <= measure.high:
        raise Invalid(f"is out of range for {measure.name}", expected_text)
    return number, None


class ValueParsers:
    """Parsers by field kind, bound to the academic year and the uploader's schools."""

    def __init__(self, *, academic_year: int, today: dt.date, allowed_urns: frozenset[int]):
        self.academic_year = academic_year
        self.today = today
        self.allowed_urns = allowed_urns
        self.year_start = dt.date(academic_year, 9, 1)
        self.year_end = dt.date(academic_year + 1, 8, 31)

    def parser(self, kind: str):
        return getattr(self, f"_p_{kind}")

    def expected(self, kind: str) -> str:
        """What a blank cell should have held: every parser refuses a NUL cell, and its
        refusal says what it expects, so the wording lives in one place."""
        try:
            self.parser(kind)("\x00")
        except Invalid as exc:
            return exc.expected
        return "a value"

    def _p_urn(self, text: str) -> int:
        if not (text.isdigit() and len(text) == 6):
            raise Invalid("is not a school URN", "a 6-digit URN")
        urn = int(text)
        if urn not in self.allowed_urns:
            allowed = sorted(self.allowed_urns)
            shown = ", ".join(map(str, allowed[:10])) + (" ..." if len(allowed) > 10 else "")
            raise Invalid("is a school outside your schools",
                          f"the URN of a school you may import for: {shown or 'none'}")
        return urn

    def _p_opt_urn(self, text: str) -> int:
        if not (text.isdigit() and len(text) == 6):
            raise Invalid("is not a school URN", "a 6-digit URN, or blank")
        return int(text)

    def _p_upn(self, text: str) -> str:
        upn = text.upper()
        if len(upn) != 13 or not (upn[0].isalpha() and upn[1:12].isdigit() and upn[12].isalnum()
                                  and upn.isascii()):
            raise Invalid("is not a UPN",
                          "13 characters: a letter, 11 digits, then a digit or letter")
        return upn

    def _p_name(self, text: str) -> str:
        if len(text) > 100 or text == "\x00":
            raise Invalid("is not a name", "a name of at most 100 characters")
        return text

    def _date(self, text: str) -> dt.date:
        parsed = parse_uk_date(text)
        if parsed is None:
            raise Invalid("is not a date", f"a UK date: {_DATE_FORMATS}")
        return parsed

    def _p_any_date(self, text: str) -> dt.date:
        return self._date(text)

    def _p_year_date(self, text: str) -> dt.date:
        parsed = self._date(text)
        if not self.year_start <= parsed <= self.year_end:
            raise Invalid(
                f"is outside the academic year {self.academic_year}/{(self.academic_year + 1) % 100:02d}",
                f"a date from {self.year_start:%d/%m/%Y} to {self.year_end:%d/%m/%Y}")
        return parsed

    def _p_dob(self, text: str) -> dt.date:
        parsed = self._date(text)
        if not self.academic_year - 25 <= parsed.year <= self.academic_year - 1:
            raise Invalid("is not a plausible date of birth",
                          f"a date of birth between {self.academic_year - 25} and {self.academic_year - 1}")
        return parsed

    def _lookup(self, table: dict, text: str, problem: str, expected: str):
        try:
            return table[" ".join(text.upper().split())]
        except KeyError:
            raise Invalid(problem, expected) from None

    def _p_year_group(self, text: str) -> int:
        key = text.upper().replace("YEAR", "").replace(" ", "")
        if key in _YEAR_GROUPS:
            return _YEAR_GROUPS[key]
        key = key[1:] if key.startswith("Y") else key
        if key.isdigit() and 1 <= int(key) <= 14:
            return int(key)
        raise Invalid("is not a year group", "N1, N2, R, or 1 to 14 (Y1 and 'Year 1' also read)")

    def _p_sex(self, text: str) -> str:
        return self._lookup(_SEX, text, "is not a sex code", "F or M")

    def _p_bool(self, text: str) -> bool:
        upper = text.upper()
        if upper in _TRUE:
            return True
        if upper in _FALSE:
            return False
        raise Invalid("is not yes or no", "Y or N (Yes/No, True/False, 1/0 also read)")

    def _p_sen(self, text: str) -> str:
        return self._lookup(_SEN, text, "is not a SEN provision code",
                            "N (no SEN), K (SEN support) or E (EHC plan)")

    def _p_prior_band(self, text: str) -> str:
        return self._lookup(_PRIOR, text, "is not a prior attainment band", "low, middle or high")

    def _p_session(self, text: str) -> str:
        return self._lookup(_SESSIONS, text, "is not a session", "AM or PM")

    def _p_attendance_code(self, text: str) -> str:
        code = text.upper()
        if code in codes.ALL_CODES:
            return code
        raise Invalid("is not a DfE attendance code", codes.describe_unknown(code))

    def _p_count(self, text: str) -> int:
        if not text.isdigit():
            raise Invalid("is not a whole number", "a whole number of sessions, 0 or more")
        return int(text)

    def _p_term(self, text: str) -> str:
        # 'Autumn', 'Aut', 'Autumn 2', 'Aut1' all mean the autumn term.
        key = text.lower()[:3]
        for term in ("autumn", "spring", "summer"):
            if key == term[:3]:
                return term
        raise Invalid("is not a term", "autumn, spring or summer")

    def _p_subject(self, text: str) -> str:
        subject = " ".join(text.lower().split())
        if len(subject) > 40 or subject == "\x00":
            raise Invalid("is not a subject name", "a subject of at most 40 characters, e.g. "
                          "reading, writing, maths, science")
        return _SUBJECT_ALIASES.get(subject, subject)

    def _p_judgement(self, text: str) -> str:
        return self._lookup(_JUDGEMENTS, text, "is not a teacher-assessment judgement",
                            "PRE, WTS, EXS or GDS, or blank when a score is given")

    def _p_assessment_score(self, text: str) -> float:
        low, high = ASSESSMENT_SCORE_RANGE
        try:
            number = float(text)
        except ValueError:
            raise Invalid("is not a number", f"a score from {low:g} to {high:g}") from None
        if not low <= number <= high:
            raise Invalid("is out of range", f"a score from {low:g} to {high:g}")
        return number

    def _p_measure(self, text: str) -> str:
        name = text.upper().replace(" ", "_")
        if name not in MEASURES:
            raise Invalid("is not a statutory measure", "one of " + ", ".join(MEASURES))
        return name

    def _p_from_phase(self, text: str) -> str:
        return self._lookup({p.upper(): p for p in PHASES}, text, "is not a phase",
                            "one of " + ", ".join(PHASES))

    def _p_destination(self, text: str) -> str:
        return self._lookup({d.upper(): d for d in DESTINATIONS}, text, "is not a destination",
                            "one of " + ", ".join(DESTINATIONS))
