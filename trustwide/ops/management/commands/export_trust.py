from django.core.management.base import BaseCommand, CommandError

from trustwide.ops.archive import ArchiveError
from trustwide.ops.trust_export import export_trust
from trustwide.trusts.models import Trust


class Command(BaseCommand):
    help = (
        "Export everything one trust owns (its rows from every app as JSON, its Parquet store "
        "partitions, shards and batches, its uploaded files) to OUT, one .tar; see docs/DATA.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The trust's slug (as in its URLs).")
        parser.add_argument("out", help="The archive to write.")

    def handle(self, *args, slug, out, **options):
        trust = Trust.objects.filter(slug=slug).first()
        if trust is None:
            known = (
                ", ".join(Trust.objects.order_by("slug").values_list("slug", flat=True)[:20])
                or "none"
            )
            raise CommandError(f"No trust '{slug}'. Trusts: {known}.")
        try:
            manifest = export_trust(trust, out)
        except (ArchiveError, OSError) as exc:
            raise CommandError(f"Export failed, nothing written to {out}: {exc}") from exc
        rows = sum(manifest["counts"]["rows"].values())
        self.stdout.write(
            f"Exported {trust.name} to {out}: {rows} rows of {len(manifest['counts']['rows'])} "
            f"models, {manifest['counts']['store_files']} store files, "
            f"{manifest['counts']['media_files']} uploads."
        )
