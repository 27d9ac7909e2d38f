from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from trustwide.data.models import ImportStatus
from trustwide.data.schemas import IMPORT_DATASETS
from trustwide.data.services import ctf_batch_create, import_batch_create, import_batch_run
from trustwide.trusts.models import School, Trust


class Command(BaseCommand):
    help = (
        "Import pupil-data files (CSV or .xlsx, or Common Transfer Files with --format ctf): "
        "each file is stored whole or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--trust", required=True, help="Trust slug.")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=("csv", "ctf"),
            default="csv",
            help="csv (CSV or .xlsx, needs --dataset and --year) or ctf (DfE Common Transfer "
            "File: school and year come from its header).",
        )
        parser.add_argument("--dataset", choices=IMPORT_DATASETS)
        parser.add_argument("--year", type=int, help="Academic start year: 2025 = 2025/26.")
        parser.add_argument(
            "--school",
            type=int,
            help="URN of the school the files belong to (default: any school of the trust).",
        )

    def handle(self, *args, files, trust, dataset, year, school, file_format, **options):
        trust_obj = Trust.objects.filter(slug=trust).first()
        if trust_obj is None:
            raise CommandError(f"No trust with slug '{trust}'.")
        if file_format == "ctf":
            return self._ctf(trust_obj, files)
        if not dataset or year is None:
            raise CommandError("--dataset and --year are required for CSV and Excel files.")
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
            batch = import_batch_create(
                actor=None,
                actor_label="trustwide import",
                trust=trust_obj,
                school=school_obj,
                dataset=dataset,
                academic_year=year,
                file_name=path.name,
            )
            batch = import_batch_run(batch=batch, source=path)
            if batch.status == ImportStatus.STORED:
                self.stdout.write(
                    f"{path.name}: stored {batch.rows} rows (replacing {batch.replaced_rows}); batch {batch.pk}"
                )
            else:
                failed += 1
                self.stderr.write(
                    f"{path.name}: refused, {batch.error_count} problem(s); nothing stored:"
                )
                shown = batch.errors[:50]
                for message in shown:
                    self.stderr.write(f"  {message}")
                if batch.error_count > len(shown):
                    self.stderr.write(f"  ... and {batch.error_count - len(shown):,} more errors")
        if failed:
            raise CommandError(f"{failed} file(s) refused.")

    def _ctf(self, trust, files):
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                batch = ctf_batch_create(
                    actor=None,
                    actor_label="trustwide import",
                    trust=trust,
                    file_name=path.name,
                    source=path,
                )
            except (ValidationError, PermissionDenied) as exc:
                failed += 1
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.stderr.write(f"{path.name}: refused; nothing stored: {text}")
                continue
            batch = import_batch_run(batch=batch, source=path)
            if batch.status == ImportStatus.STORED:
                self.stdout.write(
                    f"{path.name}: CTF of URN {batch.school.urn} for {batch.academic_year_label}: "
                    f"stored {batch.rows} rows (replacing {batch.replaced_rows}); batch {batch.pk}"
                )
            else:
                failed += 1
                self.stderr.write(
                    f"{path.name}: refused, {batch.error_count} problem(s); nothing stored:"
                )
                for message in batch.errors[:50]:
                    self.stderr.write(f"  {message}")
        if failed:
            raise CommandError(f"{failed} file(s) refused.")
