"""`trustwide serve`: the web server, the task worker and the scheduler under one parent.

The parent starts each as a child process in a process group of its own (so stopping a child
stops what it started, e.g. gunicorn's worker processes), restarts a child that dies (saying so,
with a backoff: 1 s doubling to 30 s, reset after a minute of running), and on SIGTERM or
Ctrl-C stops every group: SIGTERM, then SIGKILL after `stop_timeout`. On Linux each child also
gets SIGTERM if the parent itself is killed (PR_SET_PDEATHSIG), so nothing is left orphaned.

The web server is gunicorn (N worker processes x a few threads each: one Python process per
core, so pages no longer queue behind one interpreter lock); where gunicorn is unavailable
(Windows) waitress serves in one process.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

BACKOFF_FIRST, BACKOFF_MAX, HEALTHY_AFTER = 1.0, 30.0, 60.0
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None

    def preexec() -> None:  # runs in the child between fork and exec
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = BACKOFF_FIRST
    restart_at: float | None = None


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        log: Callable[[str], None],
        stop_timeout: float = 15.0,
        poll: float = 0.2,
    ):
        self.children, self.log = children, log
        self.stop_timeout, self.poll = stop_timeout, poll
        self.stopping = False
        self.forced = False

    # -- signals -----------------------------------------------------------------------------
    def _on_signal(self, signum, frame) -> None:
        if self.stopping:
            self.forced = True  # a second Ctrl-C: kill now
        self.stopping = True

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                signal.signal(signum, self._on_signal)

    # -- children ----------------------------------------------------------------------------
    def start(self, child: Child) -> None:
        kwargs = {}
        if os.name == "posix":
            kwargs = {"process_group": 0, "preexec_fn": _die_with_parent(os.getpid())}
        child.process = subprocess.Popen(child.argv, **kwargs)
        child.started_at = time.monotonic()
        child.restart_at = None

    def check(self) -> None:
        """Restart children that died, after their backoff."""
        now = time.monotonic()
        for child in self.children:
            process = child.process
            if process is not None and process.poll() is not None:
                if now - child.started_at > HEALTHY_AFTER:
                    child.delay = BACKOFF_FIRST
                self.log(
                    f"{child.name} (pid {process.pid}) exited with code {process.returncode}; "
                    f"restarting it in {child.delay:.0f} s"
                )
                self._signal_group(process.pid, signal.SIGKILL)  # anything it left behind
                child.process, child.restart_at = None, now + child.delay
                child.delay = min(child.delay * 2, BACKOFF_MAX)
            elif process is None and child.restart_at is not None and now >= child.restart_at:
                self.start(child)
                self.log(f"{child.name} restarted (pid {child.process.pid})")

    def run(self) -> int:
        self.install_signal_handlers()
        for child in self.children:
            self.start(child)
            self.log(f"{child.name} started (pid {child.process.pid})")
        while not self.stopping:
            self.check()
            time.sleep(self.poll)
        self.stop()
        return 0

    # -- stopping ----------------------------------------------------------------------------
    @staticmethod
    def _signal_group(pgid: int, signum: int) -> bool:
        """Signal a process group; False if no process is left in it."""
        try:
            if os.name == "posix":
                os.killpg(pgid, signum)
            else:
                os.kill(pgid, signum)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def stop(self) -> None:
        self.log("stopping the web server, task worker and scheduler")
        # Each child leads its own group (its pid), which holds whatever it started.
        groups = {child.process.pid for child in self.children if child.process is not None}
        for pgid in groups:
            self._signal_group(pgid, signal.SIGKILL if self.forced else signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline and not self.forced:
            self._reap()
            if not any(self._signal_group(pgid, 0) for pgid in groups):
                break
            time.sleep(self.poll)
        for pgid in groups:
            if self._signal_group(pgid, signal.SIGKILL):
                self.log(f"process group {pgid} did not stop in time; killed")
        for child in self.children:
            if child.process is not None:
                child.process.wait()

    def _reap(self) -> None:
        for child in self.children:
            if child.process is not None:
                child.process.poll()


# -- the web server (runs in the "web server" child) -----------------------------------------
def serve_web(
    *, host: str, port: int, workers: int, threads: int, write: Callable[[str], None]
) -> None:
    from django.db import connections

    connections.close_all()  # nothing shared across gunicorn's fork
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # no gunicorn on this platform (Windows): one waitress process
        from waitress import serve

        from config.wsgi import application

        write(
            f"gunicorn is not available here; serving with waitress in one process "
            f"({workers * threads} threads)"
        )
        serve(application, host=host, port=port, threads=workers * threads, ident="Trustwide")
        return

    class TrustwideGunicorn(BaseApplication):
        def load_config(self):
            bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            for key, value in {
                "bind": [bind],
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # A board report PDF under load has taken 37 s; leave room before gunicorn
                # declares a worker stuck and restarts it.
                "timeout": 120,
                "graceful_timeout": 10,
                "errorlog": "-",
                "proc_name": "trustwide-web",
                # gunicornc's socket lives in $HOME: two servers on one machine would share it.
                "control_socket_disable": True,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from config.wsgi import application

            return application

    TrustwideGunicorn().run()
