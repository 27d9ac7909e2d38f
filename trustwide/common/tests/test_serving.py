"""The supervisor behind `trustwide serve`: restarts with a backoff, leaves no orphans."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from trustwide.common import serving
from trustwide.common.serving import Child, Supervisor

ROOT = Path(__file__).resolve().parents[3]
SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_dying_child_is_restarted_with_a_growing_backoff_and_a_log_line(monkeypatch):
    monkeypatch.setattr(serving, "BACKOFF_FIRST", 0.2)
    lines: list[str] = []
    crasher = Child("task worker", [sys.executable, "-c", "import sys; sys.exit(3)"], delay=0.2)
    supervisor = Supervisor([crasher], log=lines.append, poll=0.05, stop_timeout=5)
    supervisor.start(crasher)
    assert _wait(
        lambda: (supervisor.check() or True) and sum("restarting" in line for line in lines) >= 3,
        15,
    ), lines
    supervisor.stopping = True
    supervisor.stop()
    restarts = [line for line in lines if "restarting" in line]
    assert "exited with code 3; restarting it in 0 s" in restarts[0]
    assert "restarting it in 1 s" in restarts[2], "0.2 s, 0.4 s, 0.8 s: the delay doubles"
    assert any(line.startswith("task worker restarted (pid") for line in lines)


def test_stop_ends_a_child_and_the_processes_it_started():
    # A child that starts a grandchild (as gunicorn starts its workers) and ignores SIGTERM.
    code = (
        "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"p = subprocess.Popen({SLEEP!r}); print(p.pid, flush=True); time.sleep(60)"
    )
    parent = Child("web server", [sys.executable, "-c", code])
    supervisor = Supervisor([parent], log=lambda line: None, stop_timeout=1)
    supervisor.start(parent)
    pids = [parent.process.pid]
    assert _wait(lambda: len(psutil.Process(pids[0]).children()) == 1, 10)
    pids += [c.pid for c in psutil.Process(pids[0]).children()]
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 5
    assert _wait(lambda: all(_gone(pid) for pid in pids), 5), (
        "SIGKILL after the timeout, whole group"
    )


def test_children_stop_when_the_parent_is_killed_or_gets_sigterm(tmp_path):
    script = (
        "import sys; from trustwide.common.serving import Child, Supervisor; "
        f"Supervisor([Child('a', {SLEEP!r}), Child('b', {SLEEP!r})], "
        "log=lambda line: print(line, flush=True)).run()"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for how in (signal.SIGTERM, signal.SIGKILL):
        parent = subprocess.Popen(
            [sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        lines = [parent.stdout.readline(), parent.stdout.readline()]
        pids = [int(line.split("(pid ")[1].rstrip(")\n")) for line in lines]
        reader = threading.Thread(target=parent.stdout.read, daemon=True)
        reader.start()
        parent.send_signal(how)
        parent.wait(timeout=20)
        # SIGTERM: the parent stops its children; kill -9: the kernel tells them (PDEATHSIG).
        assert _wait(lambda pids=pids: all(_gone(pid) for pid in pids), 10), (how, pids)
