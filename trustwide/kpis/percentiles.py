"""Place a school's value among all schools of its phase nationally and among similar schools.

Percentile = share of the comparison schools the value is better than, ties counted half
(mid-rank), so 100 is best and 50 is the middle whichever way the measure points: for
measures where lower is better (absence) "better" means lower.

Similar schools = the SIMILAR_N (100) schools of the same phase whose % of pupils
disadvantaged (PNUMFSMEVER, FSM at any time in the last six years) is closest to the
school's own. We chose nearest-N over a fixed band (e.g. +/-10 points) because a fixed
band gives a handful of comparators for schools with very high or very low disadvantage and
thousands in the middle; a fixed N gives every school a percentile of the same precision.
The school itself is left out of its comparison groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trustwide.kpis.performance_tables import PerformanceTable, school_phases
from trustwide.trusts.utils import ordinal, year_label

SIMILAR_N = 100
# Similar schools also match on size (number on roll) where the published figures carry it:
# of the SIZE_SHORTLIST x SIMILAR_N schools closest in % disadvantaged, the SIMILAR_N closest
# in size (selectors.place_school). Disadvantage stays the first criterion; size refines it.
SIZE_SHORTLIST = 3


@dataclass(frozen=True)
class SchoolPoint:
    urn: int
    phase: str
    fsm_ever_pct: float | None
    value: float


@dataclass(frozen=True)
class Placement:
    percentile: float | None  # 0-100, higher = better than more schools; None if no peers
    n: int  # schools compared with
    comparison: str  # what the schools were
    year: int | None = None  # start year of the published figures compared with (2018 = 2018/19)
    compared_year: int | None = None  # start year of the value placed

    @property
    def ordinal(self) -> str:
        return "" if self.percentile is None else f"{ordinal(round(self.percentile))} percentile"

    @property
    def label(self) -> str:
        """'43rd percentile: better than 43% of 16,744 primary schools in England, 2018/19
        figures (older than the 2024/25 value compared)'."""
        if self.percentile is None:
            return f"no percentile: {self.comparison}"
        text = f"{self.ordinal}: better than {round(self.percentile)}% of {self.comparison}"
        if self.year is not None:
            text += f", {year_label(self.year)} figures"
            if self.compared_year is not None and self.year < self.compared_year:
                text += f" (older than the {year_label(self.compared_year)} value compared)"
        return text


def percentile_rank(value: float, population: Iterable[float], *, better: str) -> float | None:
    if better not in ("higher", "lower"):
        raise ValueError("better must be 'higher' or 'lower'")
    pop = list(population)
    if not pop:
        return None
    if better == "higher":
        worse = sum(1 for p in pop if p < value)
    else:
        worse = sum(1 for p in pop if p > value)
    ties = sum(1 for p in pop if p == value)
    return 100.0 * (worse + 0.5 * ties) / len(pop)


def points_from_tables(
    *, measures: PerformanceTable, column: str, census: PerformanceTable
) -> list[SchoolPoint]:
    """Schools with a number in `column` (markers such as SUPP are left out) and a known
    phase; PNUMFSMEVER from the census (None when it is a marker)."""
    phases = school_phases(census)
    out = []
    for urn, row in measures.schools.items():
        v = row.values.get(column)
        phase = phases.get(urn)
        if v is None or not v.is_number or phase is None:
            continue
        fsm = census.schools[urn].values.get("PNUMFSMEVER") if urn in census.schools else None
        out.append(
            SchoolPoint(
                urn=urn,
                phase=phase,
                value=v.number,
                fsm_ever_pct=fsm.number if fsm is not None else None,
            )
        )
    return out


def place(
    *,
    value: float,
    phase: str,
    fsm_ever_pct: float | None,
    points: list[SchoolPoint],
    better: str,
    exclude_urn: int | None = None,
    similar_n: int = SIMILAR_N,
) -> dict[str, Placement]:
    """{'national': Placement, 'similar': Placement} for a value (a school's own figure, or
    one computed by compute_kpis) against the national school distribution."""
    peers = [p for p in points if p.phase == phase and p.urn != exclude_urn]
    national = Placement(
        percentile=percentile_rank(value, (p.value for p in peers), better=better),
        n=len(peers),
        comparison=f"{len(peers):,} {phase} schools in England",
    )
    if fsm_ever_pct is None:
        similar = Placement(None, 0, "no % disadvantaged for this school")
    else:
        known = [p for p in peers if p.fsm_ever_pct is not None]
        known.sort(key=lambda p: (abs(p.fsm_ever_pct - fsm_ever_pct), p.urn))
        chosen = known[:similar_n]
        lo = min((p.fsm_ever_pct for p in chosen), default=None)
        hi = max((p.fsm_ever_pct for p in chosen), default=None)
        similar = Placement(
            percentile=percentile_rank(value, (p.value for p in chosen), better=better),
            n=len(chosen),
            comparison=f"the {len(chosen)} {phase} schools with the closest % disadvantaged "
            f"({lo:g}-{hi:g}%)"
            if chosen
            else "no similar schools",
        )
    return {"national": national, "similar": similar}
