"""Success criteria bound to a KPI take their status from the computed values (registered with
planning.hooks in KpisConfig.ready)."""

from __future__ import annotations

import datetime

from trustwide.planning.hooks import DataStatus, ResultLine, TrustResultRow, TrustResults

from . import definitions as d
from .groups import GROUP_LABELS
from .models import KpiValue
from .selectors import STATUTORY, school_readings, trust_school_table


def _number(text: str) -> float | None:
    try:
        return float(str(text).strip().rstrip("%").strip())
    except (TypeError, ValueError):
        return None


GAPS = {
    "disadvantaged_gap": ("disadvantaged pupils", "pupils not disadvantaged"),
    "sen_gap": ("pupils with SEN", "pupils without SEN"),
}


def gap_shortfall(value: float, better: str) -> float:
    """How far the group is behind the others, in the KPI's unit (negative: ahead). A stored gap
    is group minus others, so for a higher-is-better KPI the shortfall is minus the gap, for a
    lower-is-better KPI (absence) the gap itself."""
    return -value if better == "higher" else value


def criterion_statuses(
    plan, criteria, *, today: datetime.date | None = None
) -> dict[int, DataStatus]:
    """For each criterion with a known KPI code: the school's latest value for the plan's year
    (full year once the year is over, else year to date) for the criterion's pupil group (all
    pupils when blank), against its numeric target in the KPI's better direction. A gap
    criterion is met when the group's shortfall (gap_shortfall) is at most the target. One
    query for all criteria."""
    today = today or datetime.date.today()
    year = plan.academic_year.start_year
    period = "year" if today > datetime.date(year + 1, 8, 31) else "ytd"
    codes = {c.kpi_code for c in criteria if c.kpi_code}
    wanted = {c.kpi_group or "all" for c in criteria if c.kpi_code}
    values = {
        (v.kpi_code, v.group): v
        for v in KpiValue.objects.filter(
            school_id=plan.school_id,
            academic_year=year,
            period=period,
            group__in=wanted,
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
        group = criterion.kpi_group or "all"
        if group not in GROUP_LABELS:
            out[criterion.pk] = DataStatus(
                "Unknown group", f"'{group}' is not a Trustwide pupil group.", None
            )
            continue
        out[criterion.pk] = _status(kpi, group, values.get((kpi.code, group)), criterion, period)
    return out


def _status(kpi, group: str, row, criterion, period: str) -> DataStatus:
    unit = "%" if kpi.unit == "%" else f" {kpi.unit}"
    name = kpi.name if group == "all" else f"{kpi.name}, {GROUP_LABELS[group].lower()}"
    if row is None:
        return DataStatus("No data yet", f"No {name.lower()} figure for {period} yet.", None)
    if row.suppressed or row.value is None:
        return DataStatus(
            f"Too few {kpi.count_unit}", f"{kpi.too_few.capitalize()}: not shown.", None
        )
    target = _number(criterion.target)
    if group in GAPS:
        points = " pp" if kpi.unit == "%" else unit
        shortfall = gap_shortfall(row.value, kpi.better)
        who, others = GAPS[group]
        position = "behind" if shortfall > 0 else "level with or ahead of"
        detail = (
            f"{name} {period}: {kpi.signed(row.value)}{points}, {who} {kpi.number(abs(shortfall))}{points} "
            f"{position} {others}"
        )
        if target is None:
            return DataStatus("Figure only", detail + "; the target is not a number.", None)
        met = shortfall <= target
        return DataStatus(
            "Met from data" if met else "Not yet met",
            f"{detail}, against a gap of at most {target:g}{points}.",
            met,
        )
    detail = f"{name} {period}: {kpi.number(row.value)}{unit} ({row.pupils} {kpi.count_unit})"
    if target is None:
        return DataStatus("Figure only", detail + "; the target is not a number.", None)
    met = row.value >= target if kpi.better == "higher" else row.value <= target
    return DataStatus(
        "Met from data" if met else "Not yet met", f"{detail} against target {target:g}{unit}.", met
    )


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
            national = reading.kpi.format(reading.national.value)
        lines.append(ResultLine(reading.kpi.name, reading.display, national))
    return lines


# The trust's results for its strategic plan's year-end review: statutory results, then attendance.
TRUST_RESULT_CODES = (*STATUTORY, "overall_absence", "persistent_absence")


def _shown(kpi, value: float | None) -> str:
    return kpi.format(value)


def _result_row(who: str, reading) -> TrustResultRow:
    national, note = "", ""
    if reading.national is not None:
        row = reading.national.row
        unverified = "" if row.verified else ", unverified"
        national = f"{_shown(reading.kpi, row.value)} ({row.year_label}{unverified})"
        note = reading.national.explanation
    rating = reading.national_rating
    return TrustResultRow(
        who=who,
        figure=reading.display,
        target=_shown(reading.kpi, reading.target),
        national=national,
        national_note=note,
        rating=rating.label if rating else "",
        rating_rule=rating.rule if rating else "",
    )


def trust_statutory_results(user, trust, start_year: int) -> list[TrustResults]:
    """The trust's statutory results and attendance of the academic year against national, for
    its strategic plan's year-end review (planning/hooks.trust_results_providers): per measure the
    trust's figure (for those who read trust figures) and each school's the user may see, each
    beside the national figure with its year and the target where set. Only measures with a
    figure; a fixed number of queries whatever the number of schools (trust_school_table)."""
    rows, at_trust = trust_school_table(
        user=user, trust=trust, academic_year=start_year, codes=TRUST_RESULT_CODES
    )
    out = []
    for code in TRUST_RESULT_CODES:
        lines = []
        trust_reading = at_trust.get(code)
        if trust_reading is not None and trust_reading.computed and not trust_reading.from_period:
            lines.append(_result_row("Trust", trust_reading))
        for school_row in rows:
            reading = school_row.readings[code]
            if reading.computed and not reading.from_period:
                lines.append(_result_row(school_row.school.name, reading))
        if lines:
            out.append(TrustResults(d.kpi_by_code(code).name, tuple(lines)))
    return out
