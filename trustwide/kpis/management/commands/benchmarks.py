from django.core.management.base import BaseCommand, CommandError

from trustwide.kpis.performance_import import import_performance_tables
from trustwide.kpis.performance_tables import PerformanceTableError


class Command(BaseCommand):
    help = "Import DfE performance-table files (e.g. england_abs.csv with england_census.csv) for percentiles."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import"])
        parser.add_argument("--year", type=int, required=True, help="Academic start year of the files: 2018 = 2018/19.")
        parser.add_argument("--measures", required=True, help="School-level measures file, e.g. england_abs.csv.")
        parser.add_argument("--census", required=True, help="england_census.csv of the same year (phase, %% FSM ever).")

    def handle(self, *args, action, year, measures, census, **options):
        try:
            result = import_performance_tables(academic_year=year, measures_path=measures, census_path=census)
        except (OSError, PerformanceTableError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result['rows']} published values stored ({result['markers']} suppression or other markers kept as "
            f"markers); {result['schools_without_phase']} schools without a phase in the census were left out."
        )
