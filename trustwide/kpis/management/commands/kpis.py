from django.core.management.base import BaseCommand, CommandError

from trustwide.kpis.services import clean_spool_dirs, kpis_refresh
from trustwide.trusts.models import Trust
from trustwide.trusts.utils import year_label


class Command(BaseCommand):
    help = (
        "KPI jobs. `trustwide kpis refresh [--trust SLUG] [--year 2025]` recomputes stored values; "
        "`trustwide kpis clean` removes spool folders left by killed refreshes."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh", "clean"])
        parser.add_argument("--trust", help="Trust slug (default: every trust).")
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            help="Academic start year; repeat for several (default: every year the trust has).",
        )

    def handle(self, *args, action, trust, year, **options):
        if action == "clean":
            removed = clean_spool_dirs()
            self.stdout.write(f"Removed {len(removed)} left-over KPI spool folder(s).")
            return
        trusts = Trust.objects.all() if not trust else Trust.objects.filter(slug=trust)
        if trust and not trusts.exists():
            raise CommandError(f"No trust with slug '{trust}'.")
        for trust_obj in trusts:
            years = year or list(trust_obj.academic_years.values_list("start_year", flat=True))
            for start_year in sorted(years):
                rows = kpis_refresh(
                    trust=trust_obj, academic_year=start_year, trigger="trustwide kpis refresh"
                )
                self.stdout.write(f"{trust_obj}: {year_label(start_year)}: {rows} values")
