from django.core.management.base import BaseCommand, CommandError

from trustwide.ops.archive import ArchiveError
from trustwide.ops.backup import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database, Parquet store, uploads, trust data keys) to OUT, "
        "one .tar with a manifest.json. Safe while Trustwide runs: imports wait for it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out", help="The archive to write, e.g. /backups/trustwide-$(date +%%F).tar"
        )

    def handle(self, *args, out, **options):
        try:
            manifest = backup(out)
        except (ArchiveError, OSError) as exc:
            raise CommandError(f"Backup failed, nothing written to {out}: {exc}") from exc
        size = sum(f["size"] for f in manifest["files"])
        self.stdout.write(
            f"Backup written to {out}: {manifest['database']['engine']} database, "
            f"{manifest['counts']['store_files']} store files, {manifest['counts']['media_files']} uploads, "
            f"{manifest['trust_data_keys']['count']} trust data keys; {size / 1e6:.1f} MB in {manifest['seconds']} s."
        )
