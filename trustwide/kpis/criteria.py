"""Success criteria bound to a KPI take their status from the computed values (registered with
planning.hooks in KpisConfig.ready)."""

from __future__ import annotations

import datetime

from trustwide.planning.hooks import DataStatus, ResultLine

from . import definitions as d
from .models import KpiValue
from .selectors import school_readings


def _number(text: str) -> float | None:
    try:
        return float(str(text).strip().rstrip("%").strip())
    except (TypeError, ValueError):
        return None


def criterion_statuses(
    plan, criteria, *, today: datetime.date | None = None
) -> dict[int, DataStatus]:
    """For each criterion with a known KPI code: the school's latest value for the plan's year
    (full year once the year is over, else year to date), all pupils, against the criterion's
    numeric target in the KPI's better direction. One query for all criteria."""
    today = today or datetime.date.today()
    year = plan.academic_year.start_year
    period = "year" if today > datetime.date(year + 1, 8, 31) else "ytd"
    codes = {c.kpi_code for c in criteria if c.kpi_code}
    values = {
        v.kpi_code: v
        for v in KpiValue.objects.filter(
            school_id=plan.school_id,
            academic_year=year,
            period=period,
            group="all",
            kpi_code__in=codes,
        )
    }
    out = {}
    for criterion in criteria:
        try:
            kpi = d.kpi_by_code(criterion.kpi_code)
        except KeyError:
            out[criterion.pk] = DataStatus(
                "Unknown KPI", f"'{criterion.kpi_code}' is not a Trustwide KPI code.", None
            )
            continue
        row = values.get(kpi.code)
        unit = "%" if kpi.unit == "%" else f" {kpi.unit}"
        if row is None:
            out[criterion.pk] = DataStatus(
                "No data yet", f"No {kpi.name.lower()} figure for {period} yet.", None
            )
            continue
        if row.suppressed or row.value is None:
            out[criterion.pk] = DataStatus(
                f"Too few {kpi.count_unit}", f"{kpi.too_few.capitalize()}: not shown.", None
            )
            continue
        target = _number(criterion.target)
        detail = f"{kpi.name} {period}: {row.value:.1f}{unit} ({row.pupils} {kpi.count_unit})"
        if target is None:
            out[criterion.pk] = DataStatus(
                "Figure only", detail + "; the target is not a number.", None
            )
            continue
        met = row.value >= target if kpi.better == "higher" else row.value <= target
        out[criterion.pk] = DataStatus(
            "Met from data" if met else "Not yet met",
            f"{detail} against target {target:g}{unit}.",
            met,
        )
    return out


def statutory_results(school, start_year: int) -> list:
    """The school's statutory results of the academic year against national, for the plan's
    year-end review (planning/hooks.review_results_providers)."""
    codes = [k.code for k in d.KPIS if k.family == "statutory"]
    lines = []
    for reading in school_readings(
        school=school, academic_year=start_year, codes=codes, with_percentiles=False
    ):
        if not reading.computed:
            continue
        national = ""
        if reading.national is not None:
            national = f"{reading.national.value:.1f}{'%' if reading.kpi.unit == '%' else ''}"
        lines.append(ResultLine(reading.kpi.name, reading.display, national))
    return lines
