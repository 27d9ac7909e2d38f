import datetime
import logging

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import logger as library_logger

from trustwide.common.worker import (
    DEFAULT_HEARTBEAT_SECONDS,
    DEFAULT_MAX_ATTEMPTS,
    RecoveringWorker,
    log,
    new_worker_id,
)


class Command(DbWorkerCommand):
    help = (
        "Run the background task worker (imports, KPI refreshes, the digest). Survives database "
        "restarts (backs off and retries), never autoreloads, and re-queues tasks whose worker "
        "was killed, up to --max-attempts runs. `trustwide serve` starts and restarts it."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # The autoreloader runs the worker in a thread that dies on an error while the process
        # lives on; this worker never reloads (the --reload option is accepted and ignored).
        parser.set_defaults(reload=False, worker_id=None)
        parser.add_argument(
            "--lease",
            type=float,
            default=120.0,
            help="Seconds without a heartbeat after which a worker counts as gone (default: 120).",
        )
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=DEFAULT_HEARTBEAT_SECONDS,
            help="Seconds between heartbeats (default: %(default)s).",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=DEFAULT_MAX_ATTEMPTS,
            help="Runs of a task lost with its worker before it is failed (default: %(default)s).",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        lease,
        heartbeat,
        max_attempts,
        **options,
    ):
        self.configure_logging(verbosity)
        # Our recovery lines (backoff, re-queued tasks) go where the library's lines go.
        log.setLevel(library_logger.level)
        if not log.hasHandlers():
            log.addHandler(logging.StreamHandler(self.stdout))
        if exclude_queues and "*" not in queue_name.split(","):
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = RecoveringWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or new_worker_id(),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            lease=datetime.timedelta(seconds=lease),
            heartbeat_seconds=heartbeat,
            max_attempts=max_attempts,
        )
        worker.configure_signals()
        worker.run()
