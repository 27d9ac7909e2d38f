"""Parsing cell values of import files: one distinct trimmed cell text -> its stored value.

Reading the files themselves (CSV, Excel, encodings, limits) is in reading.py; the names it
exports are re-exported here for older imports.
"""

from __future__ import annotations

import datetime as dt
import re

from trustwide.data import codes
from trustwide.data.reading import (  # noqa: F401  (re-exported)
    FileUnreadable,
    MalformedRow,
    RawFile,
    read_file,
)
from trustwide.data.schemas import ASSESSMENT_SCORE_RANGE, DESTINATIONS, MEASURES, PHASES

# -- cell values ---------------------------------------------------------------------------
# Parsers turn one distinct trimmed cell text into its stored value or raise Invalid.

BAD = object()  # marks a value that failed to parse


# str.isdigit() and float() accept more than a school's file means: '²', Arabic-Indic digits,
# '1_000', 'nan', and int() refuses strings of over 4,300 digits. Numbers are ASCII, short.
_WHOLE = re.compile(r"[0-9]{1,12}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")


def whole_number(text: str) -> int | None:
    """The value of a short run of ASCII digits, else None."""
    return int(text) if _WHOLE.fullmatch(text) else None


def decimal_number(text: str) -> float | None:
    """The value of a plain decimal (no exponent, no 'nan' or 'inf'), else None."""
    return float(text) if _NUMBER.fullmatch(text) else None


class Invalid(Exception):
    def __init__(self, problem: str, expected: str):
        super().__init__(problem)
        self.problem = problem
        self.expected = expected


_DATE_FORMATS = "dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd or dd/mm/yy"
_TRUE = {"Y", "YES", "TRUE", "T", "1"}
_FALSE = {"N", "NO", "FALSE", "F", "0"}
_YEAR_GROUPS = {
    "N": -1,
    "N1": -1,
    "N2": -1,
    "NURSERY": -1,
    "-1": -1,
    "R": 0,
    "YR": 0,
    "RECEPTION": 0,
    "0": 0,
}
_SEX = {"F": "F", "FEMALE": "F", "GIRL": "F", "M": "M", "MALE": "M", "BOY": "M"}
_SEN = {
    "N": "N",
    "NONE": "N",
    "NO": "N",
    "K": "K",
    "SEN SUPPORT": "K",
    "SUPPORT": "K",
    "E": "E",
    "EHC": "E",
    "EHCP": "E",
    "EHC PLAN": "E",
    "S": "E",
    "STATEMENT": "E",
}
_PRIOR = {
    "LOW": "low",
    "L": "low",
    "LOWER": "low",
    "MIDDLE": "middle",
    "M": "middle",
    "MID": "middle",
    "HIGH": "high",
    "H": "high",
    "HIGHER": "high",
}
_SESSIONS = {"AM": "AM", "A": "AM", "MORNING": "AM", "PM": "PM", "P": "PM", "AFTERNOON": "PM"}
_JUDGEMENTS = {
    "PRE": "PRE",
    "BLW": "PRE",
    "BELOW": "PRE",
    "WTS": "WTS",
    "WORKING TOWARDS": "WTS",
    "EXS": "EXS",
    "EXPECTED": "EXS",
    "GDS": "GDS",
    "GREATER DEPTH": "GDS",
}
_SUBJECT_ALIASES = {
    "mathematics": "maths",
    "math": "maths",
    "spag": "gps",
    "grammar, punctuation and spelling": "gps",
    "english language": "english",
}


def parse_uk_date(text: str) -> dt.date | None:
    """dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd (optionally with a midnight time, as
    Excel writes it) or dd/mm/yy; None when the text is none of these. Never mm/dd."""
    text = text.strip()
    if " " in text or "T" in text:
        text, _, time = text.replace("T", " ").partition(" ")
        if time.strip() not in ("", "00:00", "00:00:00", "00:00:00.000"):
            return None
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(_WHOLE.fullmatch(p) for p in parts):
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
        expected.append(
            f"{'a whole number' if measure.integer else 'a number'} from "
            f"{measure.low:g} to {measure.high:g}"
        )
    if measure.texts:
        expected.append("one of " + ", ".join(measure.texts))
    expected_text = f"{measure.label}: " + " or ".join(expected)
    if measure.low is None:
        raise Invalid(f"is not a valid result for {measure.name}", expected_text)
    number = decimal_number(text)
    if number is None:
        raise Invalid(f"is not a number or result code for {measure.name}", expected_text)
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
        urn = whole_number(text) if len(text) == 6 else None
        if urn is None:
            raise Invalid("is not a school URN", "a 6-digit URN")
        if urn not in self.allowed_urns:
            allowed = sorted(self.allowed_urns)
            shown = ", ".join(map(str, allowed[:10])) + (" ..." if len(allowed) > 10 else "")
            raise Invalid(
                "is a school outside your schools",
                f"the URN of a school you may import for: {shown or 'none'}",
            )
        return urn

    def _p_opt_urn(self, text: str) -> int:
        urn = whole_number(text) if len(text) == 6 else None
        if urn is None:
            raise Invalid("is not a school URN", "a 6-digit URN, or blank")
        return urn

    def _p_upn(self, text: str) -> str:
        upn = text.upper()
        if len(upn) != 13 or not (
            upn[0].isalpha() and upn[1:12].isdigit() and upn[12].isalnum() and upn.isascii()
        ):
            raise Invalid(
                "is not a UPN", "13 characters: a letter, 11 digits, then a digit or letter"
            )
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
                f"a date from {self.year_start:%d/%m/%Y} to {self.year_end:%d/%m/%Y}",
            )
        return parsed

    def _p_dob(self, text: str) -> dt.date:
        parsed = self._date(text)
        if not self.academic_year - 25 <= parsed.year <= self.academic_year - 1:
            raise Invalid(
                "is not a plausible date of birth",
                f"a date of birth between {self.academic_year - 25} and {self.academic_year - 1}",
            )
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
        number = whole_number(key)
        if number is not None and 1 <= number <= 14:
            return number
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
        return self._lookup(
            _SEN, text, "is not a SEN provision code", "N (no SEN), K (SEN support) or E (EHC plan)"
        )

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
        number = whole_number(text) if len(text) <= 9 else None
        if number is None:
            raise Invalid("is not a whole number", "a whole number of sessions, 0 or more")
        return number

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
            raise Invalid(
                "is not a subject name",
                "a subject of at most 40 characters, e.g. reading, writing, maths, science",
            )
        return _SUBJECT_ALIASES.get(subject, subject)

    def _p_judgement(self, text: str) -> str:
        return self._lookup(
            _JUDGEMENTS,
            text,
            "is not a teacher-assessment judgement",
            "PRE, WTS, EXS or GDS, or blank when a score is given",
        )

    def _p_assessment_score(self, text: str) -> float:
        low, high = ASSESSMENT_SCORE_RANGE
        number = decimal_number(text)
        if number is None:
            raise Invalid("is not a number", f"a score from {low:g} to {high:g}")
        if not low <= number <= high:
            raise Invalid("is out of range", f"a score from {low:g} to {high:g}")
        return number

    def _p_measure(self, text: str) -> str:
        name = text.upper().replace(" ", "_")
        if name not in MEASURES:
            raise Invalid("is not a statutory measure", "one of " + ", ".join(MEASURES))
        return name

    def _p_from_phase(self, text: str) -> str:
        return self._lookup(
            {p.upper(): p for p in PHASES}, text, "is not a phase", "one of " + ", ".join(PHASES)
        )

    def _p_destination(self, text: str) -> str:
        return self._lookup(
            {d.upper(): d for d in DESTINATIONS},
            text,
            "is not a destination",
            "one of " + ", ".join(DESTINATIONS),
        )
