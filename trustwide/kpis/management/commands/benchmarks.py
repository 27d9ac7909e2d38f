from django.core.management.base import BaseCommand, CommandError

from trustwide.kpis.performance_import import describe, import_performance_tables
from trustwide.kpis.performance_tables import PerformanceTableError


class Command(BaseCommand):
    help = (
        "Import a DfE school-level file for percentiles: the performance-tables format (england_abs.csv, "
        "england_ks4-pupdest.csv, ...) or the explore-education-statistics tidy format."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import"])
        parser.add_argument(
            "--year",
            type=int,
            help="Academic start year (2018 = 2018/19); needed for "
            "performance-tables files, checked against time_period for tidy files.",
        )
        parser.add_argument(
            "--measures", required=True, help="School-level measures file, e.g. england_abs.csv."
        )
        parser.add_argument(
            "--census",
            help="england_census.csv of the same year (phase, %% FSM ever); without it "
            "the phase comes from the file's own school type.",
        )

    def handle(self, *args, action, year, measures, census, **options):
        try:
            result = import_performance_tables(
                academic_year=year, measures_path=measures, census_path=census
            )
        except (OSError, PerformanceTableError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(describe(result))
