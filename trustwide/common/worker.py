"""The background task worker that recovers (`trustwide worker`).

django-tasks-db's `db_worker` stops for good on a database error that is not a lock (its loop
re-raises it; under the autoreloader the thread dies while the process lives on), and a task
whose worker is killed mid-run stays RUNNING for ever. This worker, built on the library's
`Worker`:

- catches database (and other) errors in its loop, closes its connections and retries with a
  backoff (1 s doubling to 30 s), so it carries on once PostgreSQL is back;
- never runs under the autoreloader;
- records a heartbeat (`common.TaskWorker`) from a thread, and on every beat re-queues RUNNING
  tasks whose worker is gone (no heartbeat within the lease, or its process no longer exists on
  this machine); a task lost `max_attempts` times is marked FAILED with a plain message.

Each claim appends the worker's id to the task's `worker_ids`, so its length is the number of
attempts.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import TaskWorker

log = logging.getLogger("trustwide.worker")

DEFAULT_LEASE = datetime.timedelta(minutes=2)
DEFAULT_HEARTBEAT_SECONDS = 15.0
DEFAULT_MAX_ATTEMPTS = 3
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker stopped too many times while running it."""


def lost_message(attempts: int) -> str:
    return (
        f"The worker running this task stopped {attempts} times before it finished (killed, or "
        "its database connection was lost), so it is not retried again. Start it again once "
        "the cause is fixed."
    )


def new_worker_id() -> str:
    # Host and pid make the id readable in the task list; the suffix keeps it unique.
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process holds that pid
    return True


def requeue_lost_tasks(
    *,
    now: datetime.datetime | None = None,
    lease: datetime.timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    lost_worker_ids: frozenset[str] = frozenset(),
    alive: Callable[[int], bool] = process_exists,
) -> tuple[list[str], list[str]]:
    """Re-queue RUNNING tasks whose worker is gone; fail those lost `max_attempts` times.

    A worker is gone when its id is in `lost_worker_ids` (a worker re-queueing its own task
    after a database error), its heartbeat is older than `lease`, its process no longer exists
    on this machine, or it never registered and the task started longer than `lease` ago.
    Returns the ids (requeued, failed)."""
    now = now or timezone.now()
    stale_before = now - lease
    host = socket.gethostname()
    workers = {w.worker_id: w for w in TaskWorker.objects.all()}

    def gone(worker_id: str | None, started_at: datetime.datetime | None) -> bool:
        if worker_id in lost_worker_ids:
            return True
        worker = workers.get(worker_id)
        if worker is None:
            return started_at is None or started_at < stale_before
        return worker.last_seen < stale_before or (
            worker.hostname == host and not alive(worker.pid)
        )

    requeued, failed = [], []
    for task in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        last_worker = task.worker_ids[-1] if task.worker_ids else None
        if not gone(last_worker, task.started_at):
            continue
        attempts = len(task.worker_ids)
        # Conditional on the claim we saw (started_at), so two reapers, or a worker that was
        # only slow, cannot both act on the same run.
        same_run = DBTaskResult.objects.filter(
            id=task.id, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if attempts >= max_attempts:
            if same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.WorkerLost",
                traceback=lost_message(attempts),
                return_value=None,
            ):
                failed.append(str(task.id))
                log.error("Task %s lost its worker %s times; marked failed.", task.id, attempts)
        elif same_run.update(status=TaskResultStatus.READY, started_at=None):
            requeued.append(str(task.id))
            log.warning(
                "Task %s lost its worker (%s, attempt %s of %s); re-queued.",
                task.id,
                last_worker,
                attempts,
                max_attempts,
            )
    dead = [wid for wid in workers if wid not in lost_worker_ids and gone(wid, None)]
    TaskWorker.objects.filter(worker_id__in=dead).delete()
    return requeued, failed


def close_connections() -> None:
    # After a lost connection, even closing can raise; the next query opens a fresh one.
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:
            pass


class Heartbeat(threading.Thread):
    """Keeps the worker's row fresh and re-queues other workers' lost tasks, also while a long
    task holds the main thread."""

    def __init__(self, worker: RecoveringWorker, interval: float):
        super().__init__(name="task-worker-heartbeat", daemon=True)
        self.worker, self.interval = worker, interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.worker.beat()
            close_connections()  # this thread's own connection

    def stop(self) -> None:
        self._stop_event.set()


class RecoveringWorker(Worker):
    def __init__(
        self,
        *,
        lease: datetime.timedelta = DEFAULT_LEASE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.lease, self.max_attempts, self.backoff = lease, max_attempts, backoff
        self.heartbeat = Heartbeat(self, heartbeat_seconds)
        self.recoveries = 0

    def beat(self, *, own_tasks_lost: bool = False) -> bool:
        """Record the heartbeat and re-queue lost tasks; False if the database refused."""
        try:
            TaskWorker.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                    "last_seen": timezone.now(),
                },
            )
            with transaction.atomic():
                requeue_lost_tasks(
                    lease=self.lease,
                    max_attempts=self.max_attempts,
                    lost_worker_ids=frozenset({self.worker_id}) if own_tasks_lost else frozenset(),
                )
            return True
        except DatabaseError as exc:
            log.warning("Task worker heartbeat failed (%s); trying again later.", exc)
            return False

    def run(self) -> None:
        delay = self.backoff[0]
        self.heartbeat.start()
        try:
            while True:
                started = time.monotonic()
                try:
                    # Not running a task now, so any task still RUNNING under our id was
                    # interrupted by the error that brought us here.
                    if self.beat(own_tasks_lost=True):
                        return super().run()  # returns only in batch / max-tasks / shutdown
                except DatabaseError as exc:
                    log.warning(
                        "Task worker %s lost its database (%s: %s); retrying in %.0f s.",
                        self.worker_id,
                        type(exc).__name__,
                        exc,
                        delay,
                    )
                except Exception:
                    log.exception(
                        "Task worker %s loop failed; retrying in %.0f s.", self.worker_id, delay
                    )
                else:
                    log.warning(
                        "Task worker %s cannot reach its database; retrying in %.0f s.",
                        self.worker_id,
                        delay,
                    )
                if not self.running:
                    return None
                self.recoveries += 1
                close_connections()
                if time.monotonic() - started > 60:
                    delay = self.backoff[0]  # it worked for a while: start the backoff afresh
                time.sleep(delay)
                delay = min(delay * 2, self.backoff[1])
        finally:
            self.heartbeat.stop()
            try:
                TaskWorker.objects.filter(worker_id=self.worker_id).delete()
            except DatabaseError:
                pass  # the row goes stale and the next reaper removes it
