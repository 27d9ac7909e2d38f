"""A task for tests/test_serve.py, run by the task worker that `trustwide serve` starts."""

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_marker(path: str) -> int:
    """Count its runs in a file; the first run waits long enough to be killed mid-task."""
    marker = Path(path)
    with marker.open("a") as handle:
        handle.write("run\n")
    runs = marker.read_text().count("run")
    if runs == 1:
        time.sleep(120)
    return runs
