from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trustwide.evaluation.framework_files import (
    FRAMEWORKS_DIR,
    FrameworkFileError,
    framework_file_paths,
    load_framework_file,
)
from trustwide.evaluation.services import FrameworkLoadError, frameworks_load


class Command(BaseCommand):
    help = (
        "Load the built-in evaluation frameworks (YAML files) into the database. Idempotent: an "
        "unchanged file changes nothing; a changed file in use must raise its version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help=f"Framework files or folders (default: every file in {FRAMEWORKS_DIR}).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only validate the files; load nothing."
        )

    def handle(self, *args, paths, check, **options):
        files = []
        for given in paths or [FRAMEWORKS_DIR]:
            path = Path(given)
            if path.is_dir():
                files.extend(framework_file_paths(path))
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder.")
        if not files:
            raise CommandError("No framework files found (expected *.yaml files).")
        if check:
            problems = []
            for path in files:
                try:
                    definition = load_framework_file(path)
                    self.stdout.write(
                        f"{path.name}: valid ({definition.name}, version {definition.version})"
                    )
                except FrameworkFileError as error:
                    problems.append(str(error))
            if problems:
                raise CommandError("\n".join(problems))
            return
        try:
            outcomes = frameworks_load(files)
        except FrameworkLoadError as error:
            raise CommandError(str(error)) from error
        for outcome in outcomes:
            self.stdout.write(f"{outcome}")
        self.stdout.write(self.style.SUCCESS(f"{len(outcomes)} framework file(s) loaded."))
