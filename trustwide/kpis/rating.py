"""RAG rating of a KPI value against a target or a national figure. The rule is shown with
every rating, so a reader can check it."""

from __future__ import annotations

from dataclasses import dataclass

# How far worse than the reference still counts as amber, in the KPI's own unit.
# Absence moves in small steps (one point of overall absence is a lot), attainment in larger.
TOLERANCE_BY_FAMILY = {"attendance": 1.0}
# Scores per subject (Progress 8 runs about -3 to +3, EBacc points 0-9): 3 would never flag.
TOLERANCE_BY_KPI = {"ks4_progress8": 0.5, "ks4_ebacc_aps": 0.5}
DEFAULT_TOLERANCE = 3.0


@dataclass(frozen=True)
class Rating:
    colour: str  # green | amber | red
    rule: str

    @property
    def label(self) -> str:
        return self.colour.capitalize()


def tolerance_for(kpi) -> float:
    return TOLERANCE_BY_KPI.get(kpi.code, TOLERANCE_BY_FAMILY.get(kpi.family, DEFAULT_TOLERANCE))


def rate(*, value: float | None, reference: float | None, kpi, against: str) -> Rating | None:
    """Green: at or better than the reference; amber: worse by less than the tolerance;
    red: worse by the tolerance or more. None when either figure is missing (or suppressed)."""
    if value is None or reference is None:
        return None
    tol = tolerance_for(kpi)
    unit = "percentage points" if kpi.unit == "%" else kpi.unit
    worse_by = (reference - value) if kpi.better == "higher" else (value - reference)
    colour = "green" if worse_by <= 0 else "amber" if worse_by < tol else "red"
    direction = "lower" if kpi.better == "higher" else "higher"
    rule = (
        f"Against {against} {kpi.number(reference)}: green if at or better, amber if up to {tol:g} {unit} "
        f"{direction}, red if {tol:g} or more {direction}."
    )
    return Rating(colour, rule)
