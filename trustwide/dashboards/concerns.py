"""Priorities from data: a ranked list of concerns, each with its evidence.

A concern is a KPI worse than national or than its target, a KPI declining year on year, a
gap (disadvantaged, SEN) wider than the national gap, or a pupil group well below all pupils.
Severity is how far worse, divided by the KPI's rating tolerance (kpis.rating), so absence
(tolerance 1 point) and attainment (3 points) rank on one scale. Concerns are recomputed
from stored values on every request; a concern's key names what it is about, so turning one
into a plan priority never trusts text sent by the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustwide.kpis import definitions as kd
from trustwide.kpis.groups import GROUP_LABELS
from trustwide.kpis.rating import tolerance_for

from . import selectors

LIMIT = 12


@dataclass
class Concern:
    key: str
    kind: str  # national | target | trend | gap | group
    kpi: kd.KPI
    title: str
    severity: float
    evidence: list[str] = field(default_factory=list)
    school_name: str = ""

    @property
    def kind_label(self) -> str:
        return {
            "national": "Below national",
            "target": "Below target",
            "trend": "Declining",
            "gap": "Gap wider than national",
            "group": "Group below others",
            "schools": "Several schools red",
        }[self.kind]

    @property
    def level(self) -> str:
        return "High" if self.severity >= 2 else "Medium" if self.severity >= 1 else "Low"


def _fmt(kpi, value) -> str:
    return "–" if value is None else kpi.format(value)


def _worse_by(kpi, value, reference) -> float:
    return (reference - value) if kpi.better == "higher" else (value - reference)


def _n(reading) -> str:
    return f"{reading.pupils} {reading.kpi.count_unit}" if reading.pupils else ""


def from_readings(readings, *, prefix: str = "") -> list[Concern]:
    """Concerns from readings (value with target, national and last year)."""
    out = []
    for r in readings:
        kpi = r.kpi
        if r.value is None:
            continue
        tol = tolerance_for(kpi)
        unit = kpi.gap_unit
        if r.national is not None:
            worse = _worse_by(kpi, r.value, r.national.value)
            if worse > 0:
                out.append(
                    Concern(
                        f"{prefix}national:{kpi.code}",
                        "national",
                        kpi,
                        f"{kpi.name}: {kpi.number(worse)} {unit} worse than national",
                        worse / tol,
                        [
                            f"{_fmt(kpi, r.value)} against national {_fmt(kpi, r.national.value)} "
                            f"({r.national.explanation})",
                            _n(r),
                        ],
                    )
                )
        if r.target is not None:
            worse = _worse_by(kpi, r.value, r.target)
            if worse > 0:
                out.append(
                    Concern(
                        f"{prefix}target:{kpi.code}",
                        "target",
                        kpi,
                        f"{kpi.name}: {kpi.number(worse)} {unit} short of target",
                        worse / tol,
                        [
                            f"{_fmt(kpi, r.value)} against target {_fmt(kpi, r.target)} ({r.target_source})",
                            _n(r),
                        ],
                    )
                )
        if r.change is not None:
            worse = -r.change if kpi.better == "higher" else r.change
            if worse >= tol / 2:
                out.append(
                    Concern(
                        f"{prefix}trend:{kpi.code}",
                        "trend",
                        kpi,
                        f"{kpi.name}: {kpi.number(worse)} {unit} worse than last year",
                        worse / tol,
                        [
                            f"{_fmt(kpi, r.value)} this year against {_fmt(kpi, r.last_year)} last year",
                            _n(r),
                        ],
                    )
                )
    return out


def from_group_values(values: dict, *, codes, school, academic_year: int) -> list[Concern]:
    """Gaps wider than national, and groups well below all pupils (values: (code, group) -> KpiValue)."""
    from trustwide.kpis.national import lookup

    out = []
    phase = school.phase if school.phase in ("primary", "secondary", "special") else "all"
    for code in codes:
        kpi = kd.kpi_by_code(code)
        tol = tolerance_for(kpi)
        all_row = values.get((code, "all"))
        for gap in selectors.GAP_GROUPS:
            row = values.get((code, gap))
            if row is None or row.value is None:
                continue
            national = lookup(measure=code, academic_year=academic_year, phase=phase, group=gap)
            reference = national.value if national is not None else 0.0
            # Gaps are group minus others: for "higher is better" a more negative gap is worse.
            worse = _worse_by(kpi, row.value, reference)
            if worse >= tol:
                against = (
                    f"national gap {kpi.signed(reference)} {kpi.gap_unit}" if national else "no gap"
                )
                out.append(
                    Concern(
                        f"gap:{code}:{gap}",
                        "gap",
                        kpi,
                        f"{kpi.name}: {GROUP_LABELS[gap].split(' (')[0].lower()} of {kpi.signed(row.value)} {kpi.gap_unit}",
                        worse / tol,
                        [
                            f"Gap {kpi.signed(row.value)} {kpi.gap_unit} against {against}",
                            f"{row.pupils} {kpi.count_unit} in the groups compared",
                        ],
                    )
                )
        if all_row is None or all_row.value is None:
            continue
        for group in selectors.COMPARED_GROUPS:
            row = values.get((code, group))
            if row is None or row.value is None or row.suppressed:
                continue
            worse = _worse_by(kpi, row.value, all_row.value)
            if worse >= 2 * tol:
                out.append(
                    Concern(
                        f"group:{code}:{group}",
                        "group",
                        kpi,
                        f"{kpi.name}: {GROUP_LABELS[group].lower()} {kpi.number(worse)} {kpi.gap_unit} behind all pupils",
                        worse / tol / 2,
                        [
                            f"{GROUP_LABELS[group]} {_fmt(kpi, row.value)} ({row.pupils} {kpi.count_unit}) against all pupils "
                            f"{_fmt(kpi, all_row.value)} ({all_row.pupils} {kpi.count_unit})"
                        ],
                    )
                )
    return out


def _ranked(concerns: list[Concern], limit: int = LIMIT) -> list[Concern]:
    concerns.sort(key=lambda c: (-c.severity, c.key))
    return concerns[:limit]


def school_concerns(
    *, school, academic_year: int, readings=None, limit: int = LIMIT
) -> list[Concern]:
    readings = (
        readings
        if readings is not None
        else selectors.headline_readings(
            school=school, academic_year=academic_year, with_percentiles=False
        )
    )
    codes = [r.kpi.code for r in readings if r.computed]
    values = selectors.school_group_values(school=school, academic_year=academic_year, codes=codes)
    found = from_readings(readings) + from_group_values(
        values, codes=codes, school=school, academic_year=academic_year
    )
    for c in found:
        c.evidence = [e for e in c.evidence if e]
    return _ranked(found, limit)


def trust_concerns(*, dashboard, limit: int = LIMIT) -> list[Concern]:
    """Trust-level figures against national, target and last year, plus KPIs on which several
    schools are red against national (from the same rows as the trust dashboard)."""
    found = from_readings(list(dashboard.trust_readings.values()), prefix="trust:")
    total = len(dashboard.rows)
    for kpi in dashboard.kpis:
        red = [
            row.school.name
            for row in dashboard.rows
            if (r := row.readings.get(kpi.code))
            and r.national_rating
            and r.national_rating.colour == "red"
        ]
        if total and len(red) >= max(2, total // 4):
            found.append(
                Concern(
                    f"schools:{kpi.code}",
                    "schools",
                    kpi,
                    f"{kpi.name}: {len(red)} of {total} schools red against national",
                    4 * len(red) / total,
                    [", ".join(red[:8]) + (f" and {len(red) - 8} more" if len(red) > 8 else "")],
                )
            )
    for c in found:
        c.evidence = [e for e in c.evidence if e]
    return _ranked(found, limit)


def find(concerns: list[Concern], key: str) -> Concern | None:
    return next((c for c in concerns if c.key == key), None)
