import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from trustwide.common.schedule import jobs, run_due

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Start scheduled jobs when due (the weekly digest): every minute, or once with --once (cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Check once and exit (for a cron entry)."
        )
        parser.add_argument("--interval", type=int, default=60, help="Seconds between checks.")

    def handle(self, *args, once, interval, **options):
        names = ", ".join(job.name for job in jobs()) or "none"
        if once:
            self._check()
            return
        self.stdout.write(f"Scheduler running (jobs: {names}); checks every {interval} s.")
        while True:
            # A failed check (the database locked or gone for a moment) is logged and retried
            # at the next check: the scheduler never stops, so the digest is not lost.
            try:
                close_old_connections()
                self._check()
            except Exception:
                log.exception("Scheduled jobs check failed; retrying in %s s", interval)
            time.sleep(interval)

    def _check(self):
        for job, period in run_due():
            self.stdout.write(f"Started {job} for {period}.")
