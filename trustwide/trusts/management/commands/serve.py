import argparse
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from trustwide.common.serving import Child, Supervisor, default_workers, serve_web


class Command(BaseCommand):
    help = (
        "Serve Trustwide: gunicorn (--workers processes x --threads threads; waitress where "
        "gunicorn is unavailable), static files by WhiteNoise, plus the background task worker "
        "and the scheduler, each restarted if it dies; SIGTERM or Ctrl+C stops them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Web server processes (default: the number of cores, here %(default)s).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="Threads per web server process (default: %(default)s).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background task worker and scheduler (e.g. on a "
            "second web machine whose worker runs elsewhere).",
        )
        # Internal: the parent runs the web server as a child with this flag.
        parser.add_argument("--web-only", action="store_true", help=argparse.SUPPRESS)

    def _log(self, message: str) -> None:
        self.stdout.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} serve: {message}")
        self.stdout.flush()

    def handle(self, *args, host, port, workers, threads, no_worker, web_only, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        if web_only:
            serve_web(host=host, port=port, workers=workers, threads=threads, write=self._log)
            return

        call_command("collectstatic", interactive=False, verbosity=0)
        # Finish what a kill left (half-swapped store batches, imports left "running",
        # temporary files) before taking work. A failure is reported, not fatal.
        for command in (["reconcile_imports"], ["kpis", "clean"]):
            try:
                call_command(*command, stdout=self.stdout)
            except Exception as exc:  # noqa: BLE001
                self.stderr.write(f"Start-up clean-up `{' '.join(command)}` failed: {exc}")
        cli = [sys.executable, "-m", "trustwide.cli"]
        children = [
            Child(
                "web server",
                [
                    *cli,
                    "serve",
                    "--web-only",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                ],
            )
        ]
        if not no_worker and settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
            # Imports and KPI refreshes run in the database-backed queue; no extra server needed.
            children.append(Child("task worker", [*cli, "worker"]))
            # Scheduled jobs (the weekly digest) are enqueued on that queue when due.
            children.append(Child("scheduler", [*cli, "scheduler"]))
        self._log(
            f"Trustwide is at http://{host}:{port}/  ({workers} web processes x {threads} "
            f"threads; Ctrl+C to stop)"
        )
        if settings.DEBUG:
            self._log(
                "DEBUG is on (TRUSTWIDE_DEBUG): error pages show code and settings; never "
                "use it where others can reach the server"
            )
        Supervisor(children, log=self._log).run()
        self._log("stopped")
