"""Importer for DfE school-level CSVs in both formats DfE has used:

- the performance-tables format ("Compare school and college performance" downloads:
  england_abs.csv, england_census.csv, england_ks2final.csv, england_ks4-pupdest.csv, ...):
  RECTYPE/LA/URN id columns, then one column per measure;
- the explore-education-statistics tidy format: time_period (202425), time_identifier,
  geographic_level (National / Regional / Local authority / School), country_code, ...,
  school_urn, school_laestab, school_name, then measures.

Descriptive columns (names, postcodes, towns, types) are ignored, not refused: a column is a
measure when its name is not descriptive and its first value that is not a marker is a number.

Cells hold either a number or a marker. The markers (SUPP suppressed, NE no entries, NA not
applicable, NP not published, LOWCOV low coverage, x, c) are kept as distinct values, never
turned into zero or into each other: :class:`Value` holds one or the other. National rows
(LA or URN = 'NAT', e.g. "NAT,PRI,,4,8.2" at the end of england_abs.csv) are recognised as
national figures by phase and never treated as schools; so are RECTYPE 5 and 7 rows (national
totals of KS2/KS4 tables) and geographic_level National. RECTYPE 4 / 'LA' rows and
geographic_level Local authority are local-authority totals, kept by LA code.
"""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass, field
from pathlib import Path


class Marker(enum.Enum):
    SUPP = "SUPP"  # suppressed: small numbers
    NE = "NE"  # no entries
    NA = "NA"  # not applicable
    NP = "NP"  # not published
    LOWCOV = "LOWCOV"  # low coverage
    X = "x"  # not available
    C = "c"  # confidential
    Z = "z"  # not applicable (explore-education-statistics files)
    # Small percentage in KS4 destination files: above zero but under 0.5% (e.g. 1 pupil of
    # 201 in england_ks4-pupdest.csv); inferred from the counts beside it, kept as a marker.
    SP = "SP"


_MARKERS = {m.value: m for m in Marker}


class PerformanceTableError(ValueError):
    pass


@dataclass(frozen=True)
class Value:
    """A cell: a number, or a marker saying why there is none. Never both."""

    number: float | None = None
    marker: Marker | None = None

    @property
    def is_number(self) -> bool:
        return self.number is not None

    def __str__(self) -> str:
        return self.marker.value if self.marker else f"{self.number:g}"


def parse_value(text: str, *, where: str = "") -> Value | None:
    """'12.5' -> Value(12.5); 'SUPP' -> Value(marker=SUPP); '' -> None (empty cell).

    An unknown text raises, so a new DfE marker is noticed rather than read as missing.
    """
    text = text.strip()
    if text == "":
        return None
    if text in _MARKERS:
        return Value(marker=_MARKERS[text])
    try:
        return Value(number=float(text.rstrip("%")))
    except ValueError:
        raise PerformanceTableError(f"unrecognised value {text!r}{where}") from None


PHASE_CODES = {"PRI": "primary", "SEC": "secondary", "SPE": "special"}
SCHOOL_TYPE_PHASES = {
    "State-funded primary": "primary",
    "State-funded secondary": "secondary",
    "State-funded special school": "special",
    "Non-maintained special school": "special",
    "State-funded nursery": "nursery",
    "Pupil referral unit": "alternative provision",
    "Independent school": "independent",
}
# Columns that identify a row (both formats); everything else is a measure or descriptive.
ID_COLUMNS = {
    "RECTYPE",
    "LA",
    "LEA",
    "ESTAB",
    "URN",
    "SCHOOLTYPE",
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "region_code",
    "old_la_code",
    "new_la_code",
    "school_urn",
    "school_laestab",
}
# Descriptive columns: text about the row, never a measure (matched on the upper-cased name).
_DESCRIPTIVE_PARTS = (
    "NAME",
    "PCODE",
    "POSTCODE",
    "TOWN",
    "ADDRESS",
    "STREET",
    "LOCALITY",
    "TELNUM",
    "WEBSITE",
    "CONTACT",
    "RELDENOM",
    "ADMPOL",
    "GENDER",
    "AGERANGE",
    "NFTYPE",
    "ICLOSE",
    "TYPE",
    "STATUS",
    "COUNTY",
    "IDENTIFIER",
    "PHASE",
)
NATIONAL_RECTYPES = {"5", "7", "NAT"}  # 5: all schools, 7: state-funded schools (KS2/KS4 tables)
LA_RECTYPES = {"4", "LA"}
SCHOOL_RECTYPES = {"", "1", "2", "3"}

# Which measures a file carries: a family is recognised by any of its columns (both formats).
FAMILIES = {
    "absence": {"PERCTOT", "PPERSABS10", "sess_overall_percent", "enrolments_pa_10_exact_percent"},
    "census": {"NOR", "PNUMFSMEVER", "headcount", "percent_fsm_eligible"},
    "KS2": {
        "PTRWM_EXP",
        "PTRWM_HIGH",
        "READ_AVERAGE",
        "MAT_AVERAGE",
        "pt_rwm_met_expected_standard",
        "avg_scaled_score_reading",
    },
    "KS4": {
        "ATT8SCR",
        "P8MEA",
        "PTL2BASICS_94",
        "PTL2BASICS_95",
        "EBACCAPS",
        "avg_att8",
        "avg_p8score",
    },
    "KS4 destinations": {"OVERALL_DEST", "OVERALL_DESTPER", "overall_sustained_percent"},
}


def is_descriptive(column: str) -> bool:
    upper = column.upper()
    return upper not in ID_COLUMNS and any(part in upper for part in _DESCRIPTIVE_PARTS)


@dataclass
class SchoolRow:
    urn: int
    la: str
    estab: str
    values: dict[str, Value | None]
    school_type: str | None = None
    name: str = ""  # SCHNAME / school_name: kept so similar schools can be named

    @property
    def phase(self) -> str | None:
        text = self.school_type or ""
        if text in SCHOOL_TYPE_PHASES:
            return SCHOOL_TYPE_PHASES[text]
        lower = (
            text.lower()
        )  # tidy files: phase_type_grouping "State-funded primary", "Primary", ...
        return next((p for p in ("special", "primary", "secondary") if p in lower), None)


@dataclass
class PerformanceTable:
    path: str
    columns: list[str]
    format: str = "performance tables"  # or "explore education statistics"
    measures: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # descriptive columns left out
    years: set[int] = field(default_factory=set)  # start years named by the file (tidy format)
    schools: dict[int, SchoolRow] = field(default_factory=dict)
    national: dict[str, dict[str, Value | None]] = field(default_factory=dict)
    local_authorities: dict[str, dict[str, Value | None]] = field(default_factory=dict)
    other: list[dict[str, str]] = field(default_factory=list)  # regional and other totals

    def value(self, urn: int, column: str) -> Value | None:
        return self.schools[urn].values.get(column)

    @property
    def families(self) -> list[str]:
        cols = set(self.measures)
        return [name for name, known in FAMILIES.items() if cols & known]


def _national_phase(row: dict[str, str]) -> str | None:
    """'NAT' in LA/LEA/URN/RECTYPE, or RECTYPE 5/7, marks a national row; its phase code is in
    another id column (ESTAB in england_abs.csv and england_census.csv), else 'all'
    (RECTYPE 7, the state-funded total, is 'state-funded')."""
    ids = [row.get(c, "").strip() for c in ("RECTYPE", "LA", "LEA", "URN", "ESTAB")]
    rectype = ids[0]
    if "NAT" not in ids and rectype not in NATIONAL_RECTYPES:
        return None
    for v in ids:
        if v in PHASE_CODES:
            return PHASE_CODES[v]
    return "state-funded" if rectype == "7" else "all"


def tidy_start_year(text: str, *, where: str = "") -> int:
    """'202425' -> 2024; '2024' -> 2024 (a calendar-year release)."""
    text = text.strip()
    if len(text) == 6 and text.isdigit() and (int(text[:4]) + 1) % 100 == int(text[4:]):
        return int(text[:4])
    if len(text) == 4 and text.isdigit():
        return int(text)
    raise PerformanceTableError(f"time_period {text!r}{where}: expected a year such as 202425")


def _classify(columns: list[str], first_rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    """(measures, ignored): a column is descriptive when its name says so, or when its first
    value that is not empty or a marker is not a number (e.g. a town in a column we do not know)."""
    measures, ignored = [], []
    for c in columns:
        if c in ID_COLUMNS:
            continue
        if is_descriptive(c):
            ignored.append(c)
            continue
        sample = next(
            (r[c].strip() for r in first_rows if (r.get(c) or "").strip() not in ("", *_MARKERS)),
            None,
        )
        try:
            if sample is not None:
                float(sample.rstrip("%"))
        except ValueError:
            ignored.append(c)
            continue
        measures.append(c)
    return measures, ignored


def read_performance_table(path: str | Path) -> PerformanceTable:
    """Read a DfE school-level CSV in either format (UTF-8, with or without a byte-order mark)."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        tidy = "geographic_level" in columns and "time_period" in columns
        if not tidy and "URN" not in columns:
            raise PerformanceTableError(
                f"{path.name}: neither a performance-tables file (no URN column) nor an "
                f"explore-education-statistics file (no time_period and geographic_level); columns: {columns[:8]}"
            )
        rows = list(reader)
    measures, ignored = _classify(columns, rows[:200])
    table = PerformanceTable(
        path=str(path),
        columns=columns,
        measures=measures,
        ignored=ignored,
        format="explore education statistics" if tidy else "performance tables",
    )
    seen: dict[str, Value | None] = {}  # cells repeat a lot; Value is immutable, so share it

    def parse(text: str, line: int, column: str) -> Value | None:
        try:
            return seen[text]
        except KeyError:
            seen[text] = value = parse_value(
                text, where=f" in {path.name} line {line} column {column}"
            )
            return value

    for line, row in enumerate(rows, start=2):
        where = f" in {path.name} line {line}"
        values = {c: parse(row.get(c) or "", line, c) for c in measures}
        if tidy:
            _tidy_row(table, row, values, where)
            continue
        phase = _national_phase(row)
        if phase is not None:
            table.national[phase] = values
            continue
        urn_text = (row.get("URN") or "").strip()
        rectype = (row.get("RECTYPE") or "").strip()
        la = (row.get("LA") or row.get("LEA") or "").strip()
        if rectype in LA_RECTYPES:
            table.local_authorities[la] = values
            continue
        if not urn_text.isdigit() or rectype not in SCHOOL_RECTYPES:
            table.other.append(row)
            continue
        urn = int(urn_text)
        table.schools[urn] = SchoolRow(
            urn=urn,
            la=la,
            estab=(row.get("ESTAB") or "").strip(),
            values=values,
            school_type=(row.get("SCHOOLTYPE") or "").strip() or None,
            name=(row.get("SCHNAME") or "").strip()[:200],
        )
    return table


def _tidy_row(table: PerformanceTable, row: dict[str, str], values: dict, where: str) -> None:
    table.years.add(tidy_start_year(row.get("time_period") or "", where=where))
    level = (row.get("geographic_level") or "").strip()
    if level == "National":
        table.national["all"] = values
    elif level == "Local authority":
        table.local_authorities[
            (row.get("old_la_code") or row.get("new_la_code") or "").strip()
        ] = values
    elif level == "School":
        urn_text = (row.get("school_urn") or "").strip()
        if not urn_text.isdigit():
            raise PerformanceTableError(f"school_urn {urn_text!r}{where}: expected a URN (digits)")
        laestab = (row.get("school_laestab") or "").strip()
        kind = (row.get("phase_type_grouping") or row.get("establishment_type_group") or "").strip()
        table.schools[int(urn_text)] = SchoolRow(
            urn=int(urn_text),
            la=laestab[:3],
            estab=laestab[3:],
            values=values,
            school_type=kind or None,
            name=(row.get("school_name") or "").strip()[:200],
        )
    else:
        table.other.append(row)  # Regional and other levels DfE publishes


def school_phases(census: PerformanceTable) -> dict[int, str]:
    """URN -> phase ('primary', 'secondary', 'special', ...) from england_census.csv."""
    return {urn: row.phase for urn, row in census.schools.items() if row.phase}
