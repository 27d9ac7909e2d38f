"""The task worker recovers: from a database error, and from a worker killed mid-task."""

import datetime
import logging
import os
import socket
import subprocess

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from trustwide.common.models import TaskWorker
from trustwide.common.worker import RecoveringWorker, requeue_lost_tasks

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RUNS: list[str] = []


@task()
def record_run(label: str) -> str:
    RUNS.append(label)
    return label


def _worker(**options) -> RecoveringWorker:
    options = {"max_tasks": 1, "worker_id": "test-worker", **options}
    return RecoveringWorker(
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        excluded_queue_names=[],
        backoff=(0.01, 0.01),
        heartbeat_seconds=3600,
        **options,
    )


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.fixture
def db_tasks(transactional_db):
    RUNS.clear()
    with override_settings(TASKS=DB_TASKS):
        yield


def test_worker_survives_a_database_error_and_runs_the_next_task(db_tasks, monkeypatch, caplog):
    result = record_run.enqueue("after the restart")
    original = DBTaskResultQuerySet.get_locked
    calls = []

    def flaky_get_locked(self):
        calls.append(1)
        if len(calls) == 1:  # PostgreSQL restarting: the first fetch loses its connection
            raise OperationalError("server closed the connection unexpectedly")
        return original(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", flaky_get_locked)
    worker = _worker()
    with caplog.at_level(logging.WARNING, logger="trustwide.worker"):
        worker.run()  # the library's loop would re-raise and stop for good

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and RUNS == ["after the restart"]
    assert worker.recoveries == 1 and len(calls) == 2
    assert "lost its database" in caplog.text and "server closed the connection" in caplog.text
    assert not TaskWorker.objects.filter(worker_id="test-worker").exists(), "deregistered at exit"


def _claim(result, worker_id: str) -> DBTaskResult:
    row = DBTaskResult.objects.get(id=result.id)
    row.claim(worker_id)
    return row


def test_running_task_of_a_gone_worker_is_requeued_then_failed_after_the_limit(db_tasks):
    host = socket.gethostname()
    now = timezone.now()
    TaskWorker.objects.create(worker_id="killed", hostname=host, pid=_dead_pid(), last_seen=now)
    TaskWorker.objects.create(worker_id="alive", hostname=host, pid=os.getpid(), last_seen=now)
    TaskWorker.objects.create(
        worker_id="silent",
        hostname="other-machine",
        pid=1,
        last_seen=now - datetime.timedelta(minutes=10),
    )
    lost = record_run.enqueue("lost")
    busy = record_run.enqueue("busy")
    stale = record_run.enqueue("stale")
    _claim(lost, "killed")
    _claim(busy, "alive")
    _claim(stale, "silent")

    requeued, failed = requeue_lost_tasks()

    assert sorted(requeued) == sorted([str(lost.id), str(stale.id)]) and failed == []
    assert DBTaskResult.objects.get(id=busy.id).status == TaskResultStatus.RUNNING, (
        "a live worker keeps its task"
    )
    row = DBTaskResult.objects.get(id=lost.id)
    assert row.status == TaskResultStatus.READY and row.started_at is None
    assert set(TaskWorker.objects.values_list("worker_id", flat=True)) == {"alive"}, (
        "dead workers forgotten"
    )

    # Lost twice more (three runs in all): failed with a plain message, never run again.
    for attempt in (2, 3):
        TaskWorker.objects.create(
            worker_id=f"killed-{attempt}", hostname=host, pid=_dead_pid(), last_seen=now
        )
        _claim(lost, f"killed-{attempt}")
        requeued, failed = requeue_lost_tasks(max_attempts=3)
    assert failed == [str(lost.id)] and str(lost.id) not in requeued
    row = DBTaskResult.objects.get(id=lost.id)
    assert row.status == TaskResultStatus.FAILED and row.finished_at is not None
    assert "stopped 3 times" in row.traceback and row.exception_class_path.endswith("WorkerLost")

    # The re-queued task runs on the next worker, keeping its attempt count.
    DBTaskResult.objects.filter(id=busy.id).delete()
    _worker().run()
    row = DBTaskResult.objects.get(id=stale.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and RUNS == ["stale"]
    assert row.worker_ids == ["silent", "test-worker"]


def test_a_task_interrupted_by_the_database_error_is_run_again(db_tasks, monkeypatch):
    # The worker claimed a task, then lost the database before recording the result: the task
    # sits RUNNING under the worker's own id; the worker re-queues it when it recovers.
    result = record_run.enqueue("interrupted")
    _claim(result, "test-worker")
    worker = _worker()
    worker.run()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.worker_ids == [
        "test-worker",
        "test-worker",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
def test_worker_survives_postgresql_dropping_its_connection(db_tasks):
    # What a PostgreSQL restart does to the worker: its server process is terminated.
    import psycopg

    result = record_run.enqueue("after the restart")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])
    worker = _worker()
    worker.run()
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
    assert worker.recoveries >= 1
