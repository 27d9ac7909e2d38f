"""Test data for dashboards: stored KPI rows written directly (as the KPI refresh would)."""

from __future__ import annotations

from django.utils import timezone

from trustwide.kpis.models import KpiValue


def current_start_year(world) -> int:
    return world.trust_a.academic_years.get(is_current=True).start_year


def kpi(
    world,
    school,
    code,
    value,
    *,
    year=None,
    group="all",
    period="year",
    pupils=120,
    suppressed=False,
    level="school",
):
    return KpiValue.objects.create(
        trust=school.trust if school is not None else world.trust_a,
        academic_year=year or current_start_year(world),
        kpi_code=code,
        level=level,
        school=school if level == "school" else None,
        period=period,
        group=group,
        value=None if suppressed else value,
        numerator=None,
        denominator=None,
        pupils=pupils,
        suppressed=suppressed,
        computed_at=timezone.now(),
    )
