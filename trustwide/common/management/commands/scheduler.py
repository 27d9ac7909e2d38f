import time

from django.core.management.base import BaseCommand

from trustwide.common.schedule import jobs, run_due


class Command(BaseCommand):
    help = "Start scheduled jobs when due (the weekly digest): every minute, or once with --once (cron)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit (for a cron entry).")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between checks.")

    def handle(self, *args, once, interval, **options):
        names = ", ".join(job.name for job in jobs()) or "none"
        if not once:
            self.stdout.write(f"Scheduler running (jobs: {names}); checks every {interval} s.")
        while True:
            for job, period in run_due():
                self.stdout.write(f"Started {job} for {period}.")
            if once:
                return
            time.sleep(interval)
