from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Trustwide with waitress (a production WSGI server), static files by WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start the background task worker and scheduler.")

    def handle(self, *args, host, port, threads, no_worker, **options):
        import subprocess
        import sys

        from waitress import serve

        from config.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)
        # Finish what a kill left (half-swapped store batches, imports left "running",
        # temporary files) before taking work. A failure is reported, not fatal.
        for command in (["reconcile_imports"], ["kpis", "clean"]):
            try:
                call_command(*command, stdout=self.stdout)
            except Exception as exc:  # noqa: BLE001
                self.stderr.write(f"Start-up clean-up `{' '.join(command)}` failed: {exc}")
        helpers = []
        if not no_worker and settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
            # Imports and KPI refreshes run in the database-backed queue; no extra server needed.
            helpers.append(subprocess.Popen([sys.executable, "-m", "trustwide.cli", "db_worker"]))
            # Scheduled jobs (the weekly digest) are enqueued on that queue when due.
            helpers.append(subprocess.Popen([sys.executable, "-m", "trustwide.cli", "scheduler"]))
        self.stdout.write(f"Trustwide is at http://{host}:{port}/  (Ctrl+C to stop)")
        try:
            serve(application, host=host, port=port, threads=threads, ident="Trustwide")
        finally:
            for helper in helpers:
                helper.terminate()
