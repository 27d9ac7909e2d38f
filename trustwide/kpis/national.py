"""National benchmark figures (England) by measure, academic year, period, phase and group.

national_benchmarks.csv is built from ../shared/design/DOMAIN.md: every row carries its
source and whether it is verified. Figures DOMAIN.md marks [UNVERIFIED], derives, or takes
from a secondary source are stored with verified=false and must never be shown as official.
academic_year is the start year (2023 = 2023/24), as in the store. Groups are our group
codes, plus 'fsm'/'not_fsm' where DfE publishes by free-school-meal eligibility, which is
not the same as disadvantaged. Gap rows use our sign: disadvantaged minus not disadvantaged.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trustwide.trusts.utils import year_label

CSV_PATH = Path(__file__).with_name("national_benchmarks.csv")
# Preference when two rows fit equally well: accredited census statistics over daily data.
_BASIS_RANK = {
    "census": 0,
    "tests": 0,
    "exams": 0,
    "teacher_assessment": 0,
    "daily": 1,
    "derived": 2,
}


@dataclass(frozen=True)
class Benchmark:
    measure: str
    academic_year: int
    period: str
    phase: str
    group: str
    value: float
    unit: str
    basis: str
    source: str
    verified: bool
    note: str

    @property
    def year_label(self) -> str:
        """2024 -> "2024/25": academic_year is the start year."""
        return year_label(self.academic_year)


@dataclass(frozen=True)
class BenchmarkMatch:
    row: Benchmark
    exact: bool  # same year, period, phase and group as asked
    explanation: str  # which year / phase / source was used, for display

    @property
    def value(self) -> float:
        return self.row.value


@cache
def load_benchmarks(path: str | None = None) -> tuple[Benchmark, ...]:
    with open(path or CSV_PATH, encoding="utf-8", newline="") as fh:
        return tuple(
            Benchmark(
                measure=r["measure"],
                academic_year=int(r["academic_year"]),
                period=r["period"],
                phase=r["phase"],
                group=r["group"],
                value=float(r["value"]),
                unit=r["unit"],
                basis=r["basis"],
                source=r["source"],
                verified=r["verified"] == "true",
                note=r["note"],
            )
            for r in csv.DictReader(fh)
        )


# Imported national figures (kpis.NationalFigure) change once a year, at an import; each process
# re-reads them at most every IMPORTED_TTL seconds (and at once after an import it made).
IMPORTED_TTL = 300.0
_imported: dict = {"at": None, "rows": ()}


def imported_benchmarks() -> tuple[Benchmark, ...]:
    """National figures read from DfE files' national rows, newest first."""
    now = time.monotonic()
    if _imported["at"] is None or now - _imported["at"] > IMPORTED_TTL:
        from .models import NationalFigure

        _imported["rows"] = tuple(
            Benchmark(
                measure=f.measure,
                academic_year=f.academic_year,
                period=f.period,
                phase=f.phase,
                group=f.group,
                value=f.value,
                unit=f.unit,
                basis=f.basis,
                source=f.source,
                verified=f.verified,
                note=f.note,
            )
            for f in NationalFigure.objects.order_by("-academic_year", "measure", "phase")
        )
        _imported["at"] = now
    return _imported["rows"]


def forget_imported() -> None:
    """Called after an import writes national figures, so this process reads them at once."""
    _imported["at"] = None


def all_benchmarks() -> tuple[Benchmark, ...]:
    """The bundled figures, then those imported from DfE files (for the same measure, year,
    phase and group an imported figure ranks with the bundled one by verification and basis)."""
    return load_benchmarks() + imported_benchmarks()


def lookup(
    *,
    measure: str,
    academic_year: int,
    phase: str = "all",
    group: str = "all",
    period: str = "year",
    allow_unverified: bool = True,
    rows: tuple[Benchmark, ...] | None = None,
) -> BenchmarkMatch | None:
    """The best national figure for (measure, year, phase, group, period), or None.

    Measure, group and period must match. Preference, in order: the asked year, else the
    nearest earlier year, else the nearest later one (a recent all-phase figure beats a
    pre-pandemic one for the phase); the asked phase over 'all' phases; verified over
    unverified; census/test statistics over daily data; file order.
    """
    rows = rows if rows is not None else all_benchmarks()
    candidates = [
        r
        for r in rows
        if r.measure == measure
        and r.group == group
        and r.period == period
        and r.phase in (phase, "all")
        and (allow_unverified or r.verified)
    ]
    if not candidates:
        return None

    def rank(item):
        i, r = item
        distance = r.academic_year - academic_year
        year_rank = (0, 0) if distance == 0 else ((1, -distance) if distance < 0 else (2, distance))
        return (year_rank, r.phase != phase, not r.verified, _BASIS_RANK.get(r.basis, 3), i)

    _, best = min(enumerate(candidates), key=rank)
    exact = best.academic_year == academic_year and best.phase == phase
    parts = [f"{year_label(best.academic_year)} {best.basis} figure"]
    if best.academic_year != academic_year:
        parts.append(f"(no {year_label(academic_year)} figure)")
    if best.phase != phase:
        parts.append(f"for all phases (no {phase} figure)")
    if not best.verified:
        parts.append("UNVERIFIED")
    parts.append(f"source: {best.source}")
    return BenchmarkMatch(row=best, exact=exact, explanation="; ".join(parts))
