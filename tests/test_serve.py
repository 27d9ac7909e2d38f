"""`trustwide serve` as a trust runs it: product error pages (DEBUG off), several processes that
all stop together on SIGTERM, and a task worker restarted when it dies."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.test import Client, override_settings
from django.urls import path

from config.urls import handler403, handler404, handler500  # noqa: F401 (the product's handlers)
from config.urls import urlpatterns as product_urlpatterns

ROOT = Path(__file__).resolve().parent.parent


def _boom(request):
    raise RuntimeError("SECRET-DETAIL in the traceback")


# A URLconf for the 500 test: the product's URLs and handlers, and one view that raises.
urlpatterns = [*product_urlpatterns, path("boom/", _boom)]


def _local_env(tmp_path: Path, **extra) -> dict:
    """The environment `trustwide serve` runs in on a trust's machine: local settings, no DEBUG."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRUSTWIDE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "TRUSTWIDE_VAR_DIR": str(tmp_path),
            "TRUSTWIDE_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'trustwide.sqlite3'}",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("1", "True")])
def test_local_settings_serve_without_debug_unless_asked(tmp_path, value, expected):
    env = _local_env(tmp_path, **({"TRUSTWIDE_DEBUG": value} if value else {}))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_view_that_raises_shows_the_product_500_page_without_details():
    response = Client(raise_request_exception=False).get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "/static/trustwide/site.css" in body
    for leak in ("SECRET-DETAIL", "Traceback", "RuntimeError", "SECRET_KEY", "settings"):
        assert leak not in body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _task_worker(parent: psutil.Process) -> psutil.Process | None:
    for child in parent.children():
        try:
            if child.cmdline()[-1:] == ["worker"]:
                return child
        except psutil.NoSuchProcess:
            pass
    return None


def test_serve_runs_processes_restarts_the_worker_and_stops_them_all(tmp_path):
    env = _local_env(tmp_path)
    cli = [sys.executable, "-m", "trustwide.cli"]
    subprocess.run(
        [*cli, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    parent = psutil.Process(server.pid)
    base = f"http://127.0.0.1:{port}"
    try:

        def login_page():
            try:
                return _get(f"{base}/login/")[0] == 200
            except OSError:
                return False

        _wait(login_page, 120, "the login page")
        # DEBUG is off, yet static files are served (WhiteNoise), and a wrong address gets
        # the product's page, not Django's URL table.
        status, css = _get(f"{base}/static/trustwide/site.css")
        assert status == 200 and "{" in css
        status, body = _get(f"{base}/no-such-page/")
        assert status == 404 and "Page not found" in body
        assert "URLconf" not in body and "urlpatterns" not in body

        _, page = _get(f"{base}/login/")
        script = page.split('<script src="', 1)[1].split('"', 1)[0]
        assert _get(f"{base}{script}")[0] == 200, "htmx is served too"

        # Web server master + 2 gunicorn workers, task worker, scheduler.
        # The login page answers as soon as one gunicorn worker is up; the second may still
        # be booting on a busy machine, so wait for it rather than count at once.
        worker = _wait(lambda: _task_worker(parent), 30, "the task worker")
        children = _wait(
            lambda: (c := parent.children(recursive=True)) and len(c) >= 5 and c,
            60,
            "the web server master, 2 web workers, the task worker and the scheduler",
        )
        assert any(c.cmdline()[-1:] == ["scheduler"] for c in children)

        # kill -9 the task worker in the middle of a task: serve restarts it, says so, and the
        # new worker re-queues the task whose worker is gone and runs it again.
        marker = tmp_path / "runs.txt"
        enqueue = (
            "import django; django.setup(); from tests.serve_tasks import slow_marker; "
            f"print(slow_marker.enqueue({str(marker)!r}).id)"
        )
        task_id = subprocess.run(
            [sys.executable, "-c", enqueue],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        _wait(
            lambda: marker.exists() and marker.read_text().count("run") == 1,
            60,
            "the task to start",
        )
        worker = _task_worker(parent)
        worker.kill()
        restarted = _wait(
            lambda: (w := _task_worker(parent)) and w.pid != worker.pid and w,
            30,
            "the task worker to be restarted",
        )
        assert f"task worker (pid {worker.pid}) exited with code -9; restarting" in log.read_text()

        def task_row():
            with sqlite3.connect(tmp_path / "trustwide.sqlite3") as db:
                return db.execute(
                    "select status, worker_ids from django_tasks_database_dbtaskresult where id = ?",
                    [task_id.replace("-", "")],
                ).fetchone()

        status, worker_ids = _wait(
            lambda: (row := task_row()) and row[0] == "SUCCESSFUL" and row,
            60,
            "the lost task to run again",
        )
        assert marker.read_text().count("run") == 2 and len(json.loads(worker_ids)) == 2
        all_pids = {c.pid for c in parent.children(recursive=True)} | {restarted.pid}

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        _wait(lambda: all(_gone(pid) for pid in all_pids), 10, "every child to stop")
    finally:
        if server.poll() is None:
            for child in parent.children(recursive=True):
                child.kill()
            server.kill()
            server.wait()
