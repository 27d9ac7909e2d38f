from django.core.management.base import BaseCommand, CommandError

from trustwide.ops.archive import ArchiveError
from trustwide.ops.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `trustwide backup` (database, Parquet store, uploads). "
        "Stop the server and worker first. Refuses a non-empty database unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar written by `trustwide backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds trusts or users.",
        )

    def handle(self, *args, archive, force, **options):
        try:
            manifest = restore(archive, force=force)
        except (ArchiveError, OSError) as exc:
            raise CommandError(f"Not restored: {exc}") from exc
        self.stdout.write(
            f"Restored {archive} (backup of {manifest['created_at']}): {manifest['database']['engine']} "
            f"database, {manifest['counts']['store_files']} store files, "
            f"{manifest['counts']['media_files']} uploads. Run `trustwide migrate` if this Trustwide is newer."
        )
