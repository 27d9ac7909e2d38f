"""Importer for DfE school-level performance-table CSVs ("Compare school and college
performance" downloads: england_abs.csv, england_census.csv, england_ks2final.csv, ...).

Cells hold either a number or a marker. The markers (SUPP suppressed, NE no entries, NA not
applicable, NP not published, LOWCOV low coverage, x, c) are kept as distinct values, never
turned into zero or into each other: :class:`Value` holds one or the other. National rows
(LA or URN = 'NAT', e.g. "NAT,PRI,,4,8.2" at the end of england_abs.csv) are recognised as
national figures by phase and never treated as schools.
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
# Columns that identify a row; everything else is a measure.
ID_COLUMNS = {"RECTYPE", "LA", "LEA", "ESTAB", "URN", "SCHNAME", "SCHOOLTYPE", "NFTYPE"}


@dataclass
class SchoolRow:
    urn: int
    la: str
    estab: str
    values: dict[str, Value | None]
    school_type: str | None = None

    @property
    def phase(self) -> str | None:
        return SCHOOL_TYPE_PHASES.get(self.school_type or "")


@dataclass
class PerformanceTable:
    path: str
    columns: list[str]
    schools: dict[int, SchoolRow] = field(default_factory=dict)
    national: dict[str, dict[str, Value | None]] = field(default_factory=dict)
    other: list[dict[str, str]] = field(default_factory=list)  # LA totals (RECTYPE 4) etc.

    def value(self, urn: int, column: str) -> Value | None:
        return self.schools[urn].values.get(column)


def _national_phase(row: dict[str, str]) -> str | None:
    """'NAT' in LA/LEA/URN/RECTYPE marks a national row; its phase code is in another id
    column (ESTAB in england_abs.csv and england_census.csv)."""
    ids = [row.get(c, "").strip() for c in ("RECTYPE", "LA", "LEA", "URN", "ESTAB")]
    if "NAT" not in ids:
        return None
    for v in ids:
        if v in PHASE_CODES:
            return PHASE_CODES[v]
    return "all"


def read_performance_table(path: str | Path) -> PerformanceTable:
    """Read a DfE school-level CSV (UTF-8, with or without a byte-order mark)."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        if "URN" not in columns:
            raise PerformanceTableError(f"{path.name}: no URN column (columns: {columns[:8]})")
        measures = [c for c in columns if c not in ID_COLUMNS]
        table = PerformanceTable(path=str(path), columns=columns)
        for line, row in enumerate(reader, start=2):
            where = f" in {path.name} line {line}"
            phase = _national_phase(row)
            values = {c: parse_value(row.get(c) or "", where=f"{where} column {c}")
                      for c in measures}
            if phase is not None:
                table.national[phase] = values
                continue
            urn_text = (row.get("URN") or "").strip()
            rectype = (row.get("RECTYPE") or "").strip()
            if not urn_text.isdigit() or rectype not in ("", "1", "2"):
                table.other.append(row)  # LA or regional totals: not a school
                continue
            urn = int(urn_text)
            table.schools[urn] = SchoolRow(
                urn=urn, la=(row.get("LA") or row.get("LEA") or "").strip(),
                estab=(row.get("ESTAB") or "").strip(), values=values,
                school_type=(row.get("SCHOOLTYPE") or "").strip() or None,
            )
    return table


def school_phases(census: PerformanceTable) -> dict[int, str]:
    """URN -> phase ('primary', 'secondary', 'special', ...) from england_census.csv."""
    return {urn: row.phase for urn, row in census.schools.items() if row.phase}
