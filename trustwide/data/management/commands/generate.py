from django.core.management.base import BaseCommand

from trustwide.data.generator import generate_trust


class Command(BaseCommand):
    help = "Write a synthetic trust's MIS export files (CSV), calibrated to national figures."

    def add_arguments(self, parser):
        parser.add_argument("out_dir")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--schools", type=int, default=10)
        parser.add_argument(
            "--pupils", type=int, help="Total pupils (default: about 400 a school)."
        )
        parser.add_argument("--years", type=int, default=1, help="Number of academic years.")
        parser.add_argument("--start-year", type=int, default=2025)
        parser.add_argument("--first-urn", type=int, default=137001)

    def handle(
        self, *args, out_dir, seed, schools, pupils, years, start_year, first_urn, **options
    ):
        summary = generate_trust(
            out_dir,
            seed=seed,
            schools=schools,
            total_pupils=pupils,
            pupils_per_school=None if pupils else 400,
            academic_years=years,
            start_year=start_year,
            first_urn=first_urn,
        )
        self.stdout.write(
            f"{summary.schools} schools, {summary.pupils} pupils, {summary.marks} attendance marks, "
            f"{summary.files} files in {summary.seconds:.1f} s under {summary.out_dir}"
        )
