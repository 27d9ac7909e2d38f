"""DfE attendance codes (2024 regulations, in force from 19 August 2024) and their classes.

The one place that knows which code counts as what; the validator, the generator and the
KPI work all read these sets. See docs/DATA.md and DOMAIN.md section 1.2.
"""

from __future__ import annotations

PRESENT = frozenset({"/", "\\", "L"})
# Approved educational activity counts as attendance in DfE statistics.
APPROVED_ACTIVITY = frozenset({"K", "V", "P", "W", "B"})
# Dual registered: attending the other school; DfE counts the session only at the main school,
# so it is not a possible session here.
DUAL_REGISTERED = frozenset({"D"})
AUTHORISED = frozenset({"C1", "C2", "C", "M", "J1", "S", "T", "R", "I", "E"})
UNAUTHORISED = frozenset({"G", "N", "O", "U"})
NOT_COUNTED = frozenset({"X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Q", "Z", "#"})
# MIS placeholder for "no mark entered": only acceptable for a date in the future.
NO_MARK = "-"

ATTENDING = PRESENT | APPROVED_ACTIVITY
ABSENT = AUTHORISED | UNAUTHORISED
NOT_POSSIBLE = NOT_COUNTED | DUAL_REGISTERED | {NO_MARK}
ALL_CODES = ATTENDING | ABSENT | NOT_POSSIBLE

# Codes that were valid before 19 August 2024 and must now be re-coded at source.
RETIRED = {
    "H": "retired in 2024: holidays are now 'G' unless granted as 'C'",
    "F": "retired in 2024: extended family holiday is now 'G'",
    "Y": "retired in 2024: use one of 'Y1'..'Y7'",
    "J": "retired in 2024: use 'J1'",
}

# Stable order for messages and documentation.
CODE_ORDER = (
    "/",
    "\\",
    "L",
    "K",
    "V",
    "P",
    "W",
    "B",
    "D",
    "C1",
    "C2",
    "C",
    "M",
    "J1",
    "S",
    "T",
    "R",
    "I",
    "E",
    "G",
    "N",
    "O",
    "U",
    "X",
    "Y1",
    "Y2",
    "Y3",
    "Y4",
    "Y5",
    "Y6",
    "Y7",
    "Q",
    "Z",
    "#",
    "-",
)
assert set(CODE_ORDER) == ALL_CODES


def code_class(code: str) -> str:
    """Return 'present', 'approved', 'authorised', 'unauthorised' or 'not_possible'."""
    if code in PRESENT:
        return "present"
    if code in APPROVED_ACTIVITY:
        return "approved"
    if code in AUTHORISED:
        return "authorised"
    if code in UNAUTHORISED:
        return "unauthorised"
    if code in NOT_POSSIBLE:
        return "not_possible"
    raise KeyError(code)


def is_possible(code: str) -> bool:
    """A possible session is one the pupil was expected to attend (DfE definition)."""
    return code not in NOT_POSSIBLE


def is_absence(code: str) -> bool:
    return code in ABSENT


def describe_unknown(code: str) -> str:
    """Explain why a code is refused, for the import error message."""
    reason = RETIRED.get(code.upper())
    allowed = " ".join(CODE_ORDER)
    if reason:
        return f"{reason}; expected one of {allowed}"
    return f"expected one of {allowed}"


def sql_case_possible(column: str = "code") -> str:
    """SQL expression (DuckDB) that is 1 for a possible session; for readers of the store."""
    listed = ", ".join(_sql_str(c) for c in sorted(NOT_POSSIBLE))
    return f"CASE WHEN {column} IN ({listed}) THEN 0 ELSE 1 END"


def sql_case_absent(column: str = "code") -> str:
    listed = ", ".join(_sql_str(c) for c in sorted(ABSENT))
    return f"CASE WHEN {column} IN ({listed}) THEN 1 ELSE 0 END"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
