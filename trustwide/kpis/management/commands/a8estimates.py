from django.core.management.base import BaseCommand, CommandError

from trustwide.kpis.a8_estimates import EstimatesFileError, describe, import_estimates
from trustwide.kpis.models import A8EstimateTable
from trustwide.trusts.utils import year_label


class Command(BaseCommand):
    help = (
        "DfE's Attainment 8 estimates for Progress 8. `trustwide a8estimates import --year 2023 "
        "--file estimates.csv --source URL [--verified]` loads (replaces) a KS4 year's table in "
        "DfE's published shape (docs/KPIS.md); `trustwide a8estimates list` shows what is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "list"])
        parser.add_argument("--year", type=int, help="KS4 year's start year (2023 = 2023/24).")
        parser.add_argument("--file", help="CSV of DfE's Attainment 8 estimates table.")
        parser.add_argument("--source", help="Where DfE publishes it (page or document URL).")
        parser.add_argument(
            "--verified",
            action="store_true",
            help="The figures were checked against DfE's publication (else Progress 8 ignores them).",
        )

    def handle(self, *args, action, year, file, source, verified, **options):
        if action == "list":
            for table in A8EstimateTable.objects.order_by("ks4_year"):
                self.stdout.write(
                    f"{year_label(table.ks4_year)}: {table.rows.count()} ranges, "
                    f"{'verified' if table.verified else 'not verified'}, "
                    f"{'with' if table.has_limits else 'no'} minimum scores, {table.source}"
                )
            return
        if year is None or not file or not source:
            raise CommandError("import needs --year, --file and --source.")
        try:
            table, parsed = import_estimates(
                path=file,
                ks4_year=year,
                source=source,
                verified=verified,
                actor_label="trustwide a8estimates import",
            )
        except (OSError, EstimatesFileError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(describe(table, parsed))
