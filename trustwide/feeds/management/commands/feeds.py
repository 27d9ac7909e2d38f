from django.core.management.base import BaseCommand, CommandError

from trustwide.feeds.models import FeedSource
from trustwide.feeds.notify import stale_warnings_send
from trustwide.feeds.runs import due_sources, source_run


class Command(BaseCommand):
    help = (
        "MIS feeds. `trustwide feeds run [--source ID] [--all]` runs the sources that are due "
        "(or the one given, or every enabled one) now and prints each run; "
        "`trustwide feeds stale` sends today's stale-data warnings."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "stale"])
        parser.add_argument("--source", type=int, help="Run this source (its id) only.")
        parser.add_argument("--all", action="store_true", help="Run every enabled source.")

    def handle(self, *args, action, source, all, **options):
        if action == "stale":
            self.stdout.write(f"Stale-data warnings sent: {stale_warnings_send()}")
            return
        if source is not None:
            found = FeedSource.objects.filter(pk=source).first()
            if found is None:
                raise CommandError(f"No feed source with id {source}.")
            sources = [found]
        elif all:
            sources = list(FeedSource.objects.filter(is_enabled=True))
        else:
            sources = due_sources()
        failed = 0
        for item in sources:
            run = source_run(source=item, trigger="trustwide feeds run")
            rows = ", ".join(f"{k} {v}" for k, v in sorted(run.rows.items())) or "no rows"
            self.stdout.write(f"{item} (#{item.pk}): {run.get_status_display()}; {rows}")
            for error in run.errors[:20]:
                self.stdout.write(f"  {error}")
            failed += run.status == "failed"
        if failed:
            raise CommandError(f"{failed} source(s) failed; see the lines above.")
