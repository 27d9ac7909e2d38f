"""Demo KPIs: published DfE school figures for percentiles (when the public files are beside
the repository, as ../shared/data/ is on the team's machines) and the demo trust's computed
values for both years."""

import os
from pathlib import Path

from django.conf import settings

from .models import KpiValue, SchoolPerformance
from .performance_import import import_performance_tables
from .services import kpi_target_set, kpis_refresh

# The trust's default targets for the demo: a little better than the national figures of
# docs/KPIS.md and DOMAIN.md (absence 6.9%, persistent absence 17.8-18.7% in 2024/25).
DEMO_TRUST_TARGETS = {
    "overall_absence": 6.0,
    "persistent_absence": 15.0,
    "progress_expected_maths": 75.0,
    "progress_above_maths": 20.0,
    "teaching_at_least_good": 90.0,
    "transition_sustained": 94.0,
}


def performance_tables_dir() -> Path:
    default = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfe_performance_tables_2018_19"
    return Path(os.environ.get("TRUSTWIDE_PERFORMANCE_TABLES_DIR", default))


def build(ctx) -> None:
    folder = performance_tables_dir()
    absence, census = folder / "england_abs.csv", folder / "england_census.csv"
    if (
        absence.exists()
        and census.exists()
        and not SchoolPerformance.objects.filter(academic_year=2018).exists()
    ):
        import_performance_tables(academic_year=2018, measures_path=absence, census_path=census)
    for year in (ctx.previous_year, ctx.current_year):
        kpis_refresh(trust=ctx.trust, academic_year=year.start_year, trigger=ctx.actor_label)
    _targets(ctx)


def _targets(ctx) -> None:
    """Trust defaults for both years, and this year's own target for each school whose overall
    absence last year was worse than the default: half a point better than last year."""
    for year in (ctx.previous_year, ctx.current_year):
        for code, target in DEMO_TRUST_TARGETS.items():
            kpi_target_set(
                actor=None,
                trust=ctx.trust,
                school=None,
                academic_year=year.start_year,
                kpi_code=code,
                target=target,
                actor_label=ctx.actor_label,
            )
    last_year = KpiValue.objects.filter(
        trust=ctx.trust,
        level="school",
        academic_year=ctx.previous_year.start_year,
        period="year",
        group="all",
        kpi_code="overall_absence",
        value__isnull=False,
    ).select_related("school")
    for row in last_year:
        if row.value > DEMO_TRUST_TARGETS["overall_absence"]:
            kpi_target_set(
                actor=None,
                trust=ctx.trust,
                school=row.school,
                academic_year=ctx.current_year.start_year,
                kpi_code="overall_absence",
                target=round(row.value - 0.5, 1),
                actor_label=ctx.actor_label,
            )
