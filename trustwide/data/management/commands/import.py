from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trustwide.data.models import ImportStatus
from trustwide.data.schemas import IMPORT_DATASETS
from trustwide.data.services import import_batch_create, import_batch_run
from trustwide.trusts.models import School, Trust


class Command(BaseCommand):
    help = "Import pupil-data files (CSV or .xlsx): each file is stored whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--trust", required=True, help="Trust slug.")
        parser.add_argument("--dataset", required=True, choices=IMPORT_DATASETS)
        parser.add_argument("--year", type=int, required=True, help="Academic start year: 2025 = 2025/26.")
        parser.add_argument("--school", type=int, help="URN of the school the files belong to (default: any school of the trust).")

    def handle(self, *args, files, trust, dataset, year, school, **options):
        trust_obj = Trust.objects.filter(slug=trust).first()
        if trust_obj is None:
            raise CommandError(f"No trust with slug '{trust}'.")
        school_obj = None
        if school:
            school_obj = School.objects.filter(trust=trust_obj, urn=school).first()
            if school_obj is None:
                raise CommandError(f"No school with URN {school} in {trust_obj}.")
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            batch = import_batch_create(actor=None, actor_label="trustwide import", trust=trust_obj, school=school_obj,
                                        dataset=dataset, academic_year=year, file_name=path.name)
            batch = import_batch_run(batch=batch, source=path)
            if batch.status == ImportStatus.STORED:
                self.stdout.write(f"{path.name}: stored {batch.rows} rows (replacing {batch.replaced_rows}); batch {batch.pk}")
            else:
                failed += 1
                self.stderr.write(f"{path.name}: refused, {batch.error_count} problem(s); nothing stored:")
                shown = batch.errors[:50]
                for message in shown:
                    self.stderr.write(f"  {message}")
                if batch.error_count > len(shown):
                    self.stderr.write(f"  ... and {batch.error_count - len(shown):,} more errors")
        if failed:
            raise CommandError(f"{failed} file(s) refused.")
