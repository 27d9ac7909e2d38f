"""Demo KPIs: published DfE school figures for percentiles (when the public files are beside
the repository, as ../shared/data/ is on the team's machines) and the demo trust's computed
values for both years."""

import os
from pathlib import Path

from django.conf import settings

from .models import SchoolPerformance
from .performance_import import import_performance_tables
from .services import kpis_refresh


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
