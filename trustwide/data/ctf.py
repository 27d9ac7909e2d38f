"""Common Transfer File (CTF) import: DfE's XML pupil transfer file, read into the analytics
store's datasets through the SAME validation as CSV uploads (validation.validate_file).

A CTF holds one school's pupils (Header/SourceSchool). Per pupil we read the elements listed
in docs/DATA.md ("CTF import") and turn them into string rows of the datasets
characteristics, attendance_marks (or attendance_summaries when a pupil has no mark string)
and statutory; validate_file then checks them exactly as it checks a CSV. Nothing is written
here: the caller stores `tables` only when `ok` (services.import_batch_run).

Safety: the XML is parsed with defusedxml, which refuses DTDs, entity declarations (the
"billion laughs" expansion) and external references before any of them is expanded.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import numpy as np
import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from trustwide.data.parsing import RawFile, parse_uk_date
from trustwide.data.schemas import DATASETS
from trustwide.data.validation import IdentityRecord, validate_file

# CTF major versions whose elements below we read (the current one and the two before it).
SUPPORTED_VERSIONS = (23, 24, 25)
MAX_ERRORS = 500

# StageAssessment (Stage, Subject, Method, Component) -> statutory measure (schemas.MEASURES).
# A blank component matches any component. Results of other assessments are not read.
MEASURE_CODES: dict[tuple[str, str, str, str], str] = {
    ("FSP", "GLD", "TA", ""): "EYFS_GLD",
    ("KS1", "PHO", "TT", ""): "PHONICS_Y1",
    # KS1 teacher assessment, with the subject and component codes the KS2 rows use.
    ("KS1", "ENG", "TA", "RD"): "KS1_READ_TA",
    ("KS1", "ENG", "TA", "WRIT"): "KS1_WRIT_TA",
    ("KS1", "MAT", "TA", ""): "KS1_MAT_TA",
    ("KS1", "SCI", "TA", ""): "KS1_SCI_TA",
    ("KS2", "MTC", "TT", ""): "MTC",
    ("KS2", "ENG", "TT", "RD"): "KS2_READ",
    ("KS2", "MAT", "TT", ""): "KS2_MAT",
    ("KS2", "ENG", "TT", "GPS"): "KS2_GPS",
    ("KS2", "ENG", "TA", "WRIT"): "KS2_WRIT_TA",
    ("KS2", "SCI", "TA", ""): "KS2_SCI_TA",
    ("KS4", "ATT8", "", ""): "KS4_ATT8",
}
# First languages that are English or unknown: the pupil is not counted as EAL.
NOT_EAL = frozenset({"ENG", "ENB", "NOT", "REF", ""})
DISADVANTAGED_YEARS = 6  # FSM at any time in the last six years (pupil premium "Ever 6")

# Each dataset's rows: the CTF element a column comes from (shown in error messages), keyed by
# the dataset's default header, so validate_file reads them through a header mapping.
_URN_ELEMENT = "Header/SourceSchool/URN"
COLUMNS: dict[str, dict[str, str]] = {
    "characteristics": {
        "URN": _URN_ELEMENT,
        "UPN": "UPN",
        "Surname": "Surname",
        "Forename": "Forename",
        "DOB": "DOB",
        "Year group": "NCyearActual",
        "Sex": "Sex (Gender before CTF 25)",
        "Disadvantaged": "FSMhistory and LookedAfter",
        "FSM": "FSMhistory/FSMinstance",
        "SEN": "SENhistory/SEN/SENprovision",
        "EAL": "FirstLanguage",
        "Date joined": "SchoolHistory/School/EntryDate",
        "Date left": "SchoolHistory/School/LeavingDate",
    },
    "attendance_marks": {
        "URN": _URN_ELEMENT,
        "UPN": "UPN",
        "Date": "AttendanceStartDate (+ position in AttendanceMarks)",
        "Session": "AttendanceMarks session",
        "Code": "Attendance/YearData/AttendanceMarks",
    },
    "attendance_summaries": {
        "URN": _URN_ELEMENT,
        "UPN": "UPN",
        "Period start": "Attendance/YearData/AttendanceStartDate",
        "Period end": "Header/DateTime (end of the summary)",
        "Possible": "Attendance/YearData/SessionsPossible",
        "Present": "SessionsPossible - SessionsAuthorised - SessionsUnauthorised",
        "Authorised": "Attendance/YearData/SessionsAuthorised",
        "Unauthorised": "Attendance/YearData/SessionsUnauthorised",
    },
    "statutory": {
        "URN": _URN_ELEMENT,
        "UPN": "UPN",
        "Measure": "StageAssessment (Stage/Subject/Method/Component)",
        "Result": "StageAssessments/KeyStage/StageAssessment/Result",
    },
}


class CtfRefused(Exception):
    """The whole file is refused before any pupil is read (not XML, unsafe, wrong version...)."""


@dataclass(frozen=True)
class CtfHeader:
    version: int
    version_text: str
    urn: int | None
    lea: str
    estab: str
    school_name: str
    academic_year: int
    created: dt.date


@dataclass
class CtfResult:
    file_name: str
    header: CtfHeader | None = None
    # dataset -> school URN -> table, as AnalyticsStore.write_datasets takes them.
    tables: dict[str, dict[int, pa.Table]] = field(default_factory=dict)
    identities: list[IdentityRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    pupils: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def refuse(self, message: str) -> CtfResult:
        self.errors.append(f"{self.file_name}: {message}")
        self.error_count += 1
        return self


# -- parsing -------------------------------------------------------------------------------------


def parse(data: bytes) -> Element:
    """The document's root, namespaces stripped; CtfRefused for anything that is not safe XML."""
    if not data.strip():
        raise CtfRefused("the file is empty")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CtfRefused(
            f"the file declares a DTD or XML entities ({type(exc).__name__}); a CTF never does, and "
            'expanding them is a known attack ("billion laughs"), so it was not read'
        ) from None
    except ParseError as exc:
        raise CtfRefused(f"the file is not well-formed XML ({exc})") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    if root.tag != "CTfile" and root.tag != "CTFfile":
        raise CtfRefused(
            f"the root element is <{root.tag}>, not <CTfile>: this is not a Common Transfer File"
        )
    return root


def _text(element: Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _first(element: Element, *paths: str) -> str:
    for path in paths:
        value = _text(element, path)
        if value:
            return value
    return ""


def read_header(root: Element) -> CtfHeader:
    header = root.find("Header")
    if header is None:
        raise CtfRefused("there is no <Header> element")
    version_text = _first(header, "CTFversion", "CTFVersion")
    try:
        version = int(float(version_text))
    except ValueError:
        raise CtfRefused(
            f"Header/CTFversion '{version_text}' is not a CTF version number "
            f"(expected one of {', '.join(map(str, SUPPORTED_VERSIONS))})"
        ) from None
    if version not in SUPPORTED_VERSIONS:
        raise CtfRefused(
            f"Header/CTFversion '{version_text}' is not supported "
            f"(expected CTF {', '.join(map(str, SUPPORTED_VERSIONS))}; export the file again "
            "from an up-to-date MIS)"
        )
    source = header.find("SourceSchool")
    year_text = _text(source, "AcademicYear")
    if not (year_text.isdigit() and len(year_text) == 4):
        raise CtfRefused(
            f"Header/SourceSchool/AcademicYear '{year_text}' is not a year "
            "(expected the start year, e.g. 2025 for 2025/26)"
        )
    urn_text = _text(source, "URN")
    created = parse_uk_date(_text(header, "DateTime")[:10]) or dt.date(int(year_text) + 1, 7, 31)
    return CtfHeader(
        version=version,
        version_text=version_text,
        urn=int(urn_text) if urn_text.isdigit() else None,
        lea=_text(source, "LEA"),
        estab=_text(source, "Estab"),
        school_name=_text(source, "SchoolName"),
        academic_year=int(year_text),
        created=created,
    )


def peek_header(source: str | os.PathLike | bytes) -> CtfHeader:
    """The header of a CTF (for the upload form); CtfRefused when it cannot be used."""
    return read_header(parse(_bytes(source)))


def _bytes(source) -> bytes:
    return Path(source).read_bytes() if isinstance(source, str | os.PathLike) else bytes(source)


# -- pupils -> rows ----------------------------------------------------------------------------


@dataclass
class _Rows:
    headers: list[str]
    columns: list[list[str]]
    labels: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, dataset: str) -> _Rows:
        names = list(COLUMNS[dataset].values())
        return cls(names, [[] for _ in names])

    def add(self, label: str, *values: str) -> None:
        for column, value in zip(self.columns, values, strict=True):
            column.append(value)
        self.labels.append(label)

    def __len__(self) -> int:
        return len(self.labels)

    def label(self, row: int) -> str:
        return self.labels[row] or f"pupil {self.columns[1][row]}"

    def raw(self) -> RawFile:
        table = pa.table(
            {f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(self.columns)}
        )
        return RawFile(
            headers=self.headers, table=table, row_numbers=np.arange(len(self), dtype=np.int64)
        )


class _MarkRows:
    """Attendance marks, built with numpy: a year of marks is ~380 rows per pupil, too many for
    per-row Python. Each pupil's mark string becomes arrays of (pupil, day, session, code)."""

    def __init__(self, urn: str):
        self.urn = urn
        self.headers = list(COLUMNS["attendance_marks"].values())
        self.upns: list[str] = []
        self.parts: list[
            tuple[int, int, np.ndarray, np.ndarray]
        ] = []  # pupil, first day, positions, codes
        self._cache: tuple | None = None

    def add_string(self, upn: str, start: dt.date, marks: str) -> None:
        # Codes as 2-byte strings (a letter or symbol, and the digit of C1, J1, Y1..Y7), so the
        # whole file's codes are compared as 16-bit integers. Non-ASCII characters read as '?'.
        chars = np.frombuffer(marks.encode("ascii", "replace"), dtype="S1")
        digit = (chars >= b"0") & (chars <= b"9")
        starts = np.flatnonzero(~digit)
        codes = np.zeros((len(starts), 2), dtype=np.uint8)
        codes[:, 0] = chars[starts].view(np.uint8)
        joined = np.flatnonzero(starts + 1 < len(chars))
        joined = joined[digit[starts[joined] + 1]]
        codes[joined, 1] = chars[starts[joined] + 1].view(np.uint8)
        packed = codes.view("<u2").reshape(-1)
        keep = np.flatnonzero(
            (packed != ord("#")) & (packed != ord(" "))
        )  # no session: weekend, holiday...
        self.upns.append(upn)
        self.parts.append((len(self.upns) - 1, start.toordinal(), keep, packed[keep]))

    def __len__(self) -> int:
        return sum(len(p[2]) for p in self.parts)

    def _columns(self):
        if self._cache is None:
            pupil = np.concatenate([np.full(len(p[2]), p[0]) for p in self.parts])
            day = np.concatenate([p[1] + p[2] // 2 for p in self.parts])
            session = np.concatenate([p[2] % 2 for p in self.parts])
            code = np.concatenate([p[3] for p in self.parts])
            self._cache = (pupil, day, session, code)
        return self._cache

    def label(self, row: int) -> str:
        pupil, day, session, _code = self._columns()
        when = dt.date.fromordinal(int(day[row])).isoformat()
        return f"pupil {self.upns[pupil[row]]} on {when} {('AM', 'PM')[session[row]]}"

    def raw(self) -> RawFile:
        pupil, day, session, code = self._columns()
        days, day_idx = np.unique(day, return_inverse=True)
        codes, code_idx = np.unique(code, return_inverse=True)
        code_text = [int(c).to_bytes(2, "little").rstrip(b"\0").decode("ascii") for c in codes]

        def column(indices: np.ndarray, values: list[str]) -> pa.Array:
            # Dictionary-encoded already: validate_file encodes each column once, and a
            # dictionary array passes through that step as it is.
            return pa.DictionaryArray.from_arrays(
                pa.array(indices.astype(np.int32)), pa.array(values, pa.string())
            )

        n = len(pupil)
        table = pa.table(
            {
                "c0": column(np.zeros(n, dtype=np.int32), [self.urn]),
                "c1": column(pupil, self.upns),
                "c2": column(
                    day_idx.reshape(-1), [dt.date.fromordinal(int(d)).isoformat() for d in days]
                ),
                "c3": column(session, ["AM", "PM"]),
                "c4": column(code_idx.reshape(-1), code_text),
            }
        )
        return RawFile(headers=self.headers, table=table, row_numbers=np.arange(n, dtype=np.int64))


def _date(text: str) -> dt.date | None:
    return parse_uk_date(text) if text else None


def _flag(value: bool) -> str:
    return "Y" if value else "N"


class _Reader:
    def __init__(self, header: CtfHeader, file_name: str):
        self.h = header
        self.file_name = file_name
        self.urn = str(header.urn)
        self.year = header.academic_year
        self.rows: dict[str, _Rows | _MarkRows] = {name: _Rows.of(name) for name in COLUMNS}
        self.rows["attendance_marks"] = _MarkRows(self.urn)
        self.errors: list[str] = []
        self.pupils = 0

    def pupil(self, index: int, pupil: Element, seen: dict[str, int]) -> None:
        upn = _text(pupil, "UPN").upper()
        if not upn:
            former = _text(pupil, "FormerUPN")
            hint = f" (FormerUPN {former})" if former else ""
            self.errors.append(
                f"{self.file_name}: pupil {index} in the file{hint}, element UPN: is missing "
                "(every pupil needs a 13-character UPN)"
            )
            return
        if upn in seen:
            self.errors.append(
                f"{self.file_name}: pupil {upn}, element UPN: appears twice "
                f"(pupils {seen[upn]} and {index} in the file; one <Pupil> per pupil)"
            )
            return
        seen[upn] = index
        self.pupils += 1
        self._characteristics(upn, pupil)
        self._attendance(upn, pupil)
        self._assessments(upn, pupil)

    def _characteristics(self, upn: str, pupil: Element) -> None:
        sex = _first(pupil, "Sex", "Gender", "BasicDetails/Sex", "BasicDetails/Gender")
        created = self.h.created
        ever6 = (
            created.replace(year=created.year - DISADVANTAGED_YEARS)
            if not (created.month == 2 and created.day == 29)
            else dt.date(created.year - DISADVANTAGED_YEARS, 2, 28)
        )
        fsm_now = fsm_ever6 = False
        for instance in pupil.iterfind("FSMhistory/FSMinstance"):
            start, end = (
                _date(_text(instance, "FSMstartDate")),
                _date(_text(instance, "FSMendDate")),
            )
            if start is not None and start <= created and (end is None or end >= created):
                fsm_now = True
            if end is None or end >= ever6:
                fsm_ever6 = True
        in_care = _text(pupil, "LookedAfter/InCare").lower() in ("true", "1", "y")
        sen = "N"
        latest = None
        for record in pupil.iterfind("SENhistory/SEN"):
            start, end = _date(_text(record, "StartDate")), _date(_text(record, "EndDate"))
            if end is not None and end < created:
                continue
            if latest is None or (start or dt.date.min) >= latest:
                latest, sen = start or dt.date.min, _text(record, "SENprovision")
        language = _first(
            pupil,
            "BasicDetails/FirstLanguage",
            "FirstLanguage",
            "BasicDetails/Languages/Type[LanguageType='F']/Language",
        ).upper()
        joined = left = ""
        for school in pupil.iterfind("SchoolHistory/School"):
            same = _text(school, "URN") == self.urn or (
                _text(school, "LEA") == self.h.lea and _text(school, "Estab") == self.h.estab
            )
            if same:
                joined, left = _text(school, "EntryDate"), _text(school, "LeavingDate")
        self.rows["characteristics"].add(
            "",
            self.urn,
            upn,
            _first(pupil, "Surname", "BasicDetails/Surname"),
            _first(pupil, "Forename", "BasicDetails/Forename"),
            _first(pupil, "DOB", "BasicDetails/DOB"),
            _first(pupil, "NCyearActual", "BasicDetails/NCyearActual"),
            sex,
            _flag(fsm_ever6 or in_care),
            _flag(fsm_now),
            sen,
            _flag(language not in NOT_EAL),
            joined,
            left,
        )

    def _attendance(self, upn: str, pupil: Element) -> None:
        for year_data in pupil.iterfind("Attendance/YearData"):
            if _text(year_data, "Year") != str(self.year):
                continue  # other years' attendance is not this import's academic year
            start_text = _text(year_data, "AttendanceStartDate")
            marks = _text(year_data, "AttendanceMarks")
            if marks:
                start = _date(start_text)
                if start is None:
                    self.errors.append(
                        f"{self.file_name}: pupil {upn}, element Attendance/YearData/"
                        f"AttendanceStartDate: '{start_text}' is not a date (yyyy-mm-dd, the date "
                        "of the first mark in AttendanceMarks)"
                    )
                    continue
                self.rows["attendance_marks"].add_string(upn, start, marks)
                continue
            possible = _text(year_data, "SessionsPossible")
            authorised = _text(year_data, "SessionsAuthorised")
            unauthorised = _text(year_data, "SessionsUnauthorised")
            counts = [possible, authorised, unauthorised]
            present = (
                str(max(int(possible) - int(authorised) - int(unauthorised), 0))
                if all(c.isdigit() for c in counts)
                else "0"
            )
            end = min(self.h.created, dt.date(self.year + 1, 8, 31))
            self.rows["attendance_summaries"].add(
                f"pupil {upn}, YearData {self.year}",
                self.urn,
                upn,
                start_text or f"{self.year}-09-01",
                end.isoformat(),
                possible,
                present,
                authorised,
                unauthorised,
            )

    def _assessments(self, upn: str, pupil: Element) -> None:
        found: dict[str, tuple[str, str]] = {}
        for stage in pupil.iterfind("StageAssessments/KeyStage"):
            stage_code = _text(stage, "Stage").upper()
            for sa in stage.iterfind("StageAssessment"):
                key = (
                    stage_code,
                    _text(sa, "Subject").upper(),
                    _text(sa, "Method").upper(),
                    _text(sa, "Component").upper(),
                )
                measure = MEASURE_CODES.get(key) or MEASURE_CODES.get((*key[:3], ""))
                if measure is None:
                    continue
                result_date = _date(_text(sa, "ResultDate"))
                in_year = (
                    dt.date(self.year, 9, 1) <= result_date <= dt.date(self.year + 1, 8, 31)
                    if result_date
                    else _text(sa, "Year") == str(self.year + 1)
                )
                if not in_year:
                    continue  # an earlier key stage's result: not this academic year's
                # A later element for the same measure (a final after a provisional result) wins.
                found[measure] = (
                    _text(sa, "Result"),
                    f"pupil {upn}, {'/'.join(k for k in key if k)}",
                )
        for measure, (result, label) in found.items():
            self.rows["statutory"].add(label, self.urn, upn, measure, result)


# -- the whole file ------------------------------------------------------------------------------


def validate_ctf(
    source: str | os.PathLike | bytes,
    *,
    file_name: str,
    allowed_school_urns: Iterable[int],
    trust_key: bytes | str,
    academic_year: int | None = None,
    today: dt.date | None = None,
    max_errors: int = MAX_ERRORS,
) -> CtfResult:
    """Read and validate one CTF. Nothing is written anywhere; errors name pupil (UPN) and element."""
    result = CtfResult(file_name=file_name)
    try:
        root = parse(_bytes(source))
        header = read_header(root)
    except CtfRefused as exc:
        return result.refuse(str(exc))
    result.header = header
    allowed = {int(u) for u in allowed_school_urns}
    if header.urn is None:
        return result.refuse(
            f"Header/SourceSchool/URN is missing (LEA {header.lea}, Estab {header.estab}); "
            "a CTF from version 18 on names the school's 6-digit URN"
        )
    if header.urn not in allowed:
        return result.refuse(
            f"Header/SourceSchool/URN {header.urn} ({header.school_name or 'unnamed school'}) "
            "is not a school of this trust you may import data for"
        )
    if academic_year is not None and header.academic_year != academic_year:
        return result.refuse(
            f"Header/SourceSchool/AcademicYear {header.academic_year} is not the year "
            f"this import was made for ({academic_year})"
        )
    data = root.find("CTFpupilData")
    reader = _Reader(header, file_name)
    seen: dict[str, int] = {}
    for index, pupil in enumerate(data.iterfind("Pupil") if data is not None else (), start=1):
        reader.pupil(index, pupil, seen)
    result.pupils = reader.pupils
    errors = list(reader.errors)
    count = len(errors)
    if not reader.pupils and not errors:
        return result.refuse("CTFpupilData holds no <Pupil>: there is nothing to import")
    for dataset, rows in reader.rows.items():
        if not len(rows):
            continue
        checked = validate_file(
            rows.raw(),
            dataset=dataset,
            file_name=file_name,
            academic_year=header.academic_year,
            allowed_school_urns=allowed,
            trust_key=trust_key,
            mapping=COLUMNS[dataset],
            today=today,
            max_errors=max_errors,
        )
        count += checked.error_count
        for e in checked.errors:
            where = rows.label(e.row) if e.row is not None and e.row < len(rows) else ""
            what = f"'{e.value}' {e.problem}" if e.value is not None else e.problem
            errors.append(
                f"{file_name}: {where + ', ' if where else ''}element {e.column or '?'}: {what}"
                + (f" ({e.expected})" if e.expected else "")
            )
        if checked.ok:
            result.tables[dataset] = checked.tables
            result.rows[dataset] = checked.row_count
            if dataset == "characteristics":
                result.identities = checked.identities
    result.error_count = count
    result.errors = errors[:max_errors]
    if count:
        result.tables, result.identities = {}, []
    return result


def dataset_names() -> list[str]:
    """Datasets a CTF import may write (documentation and tests)."""
    return [name for name in COLUMNS if name in DATASETS]
