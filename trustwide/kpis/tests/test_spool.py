"""The KPI refresh's spool folders (kpis-* in the temp folder): a killed refresh's folder is
removed by the next refresh or at start-up; a running refresh's folder is left alone."""

import fcntl
import io
import os
import time

import pytest
from django.core.management import call_command

from trustwide.kpis import services


@pytest.fixture
def temp(tmp_path, monkeypatch):
    monkeypatch.setattr(services.tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _age(path, seconds):
    os.utime(path, (time.time() - seconds,) * 2)


def _spool(temp, name, *, locked_by_us=False, lock=True, age=3600):
    path = temp / f"kpis-{name}"
    path.mkdir()
    (path / "values.arrow").write_bytes(b"x" * 100)
    handle = None
    if lock:
        handle = open(path / services.SPOOL_LOCK, "w")  # noqa: SIM115
        if locked_by_us:
            fcntl.flock(handle, fcntl.LOCK_EX)
        else:
            handle.close()
    _age(path, age)
    return path, handle


def test_left_over_spool_folders_are_removed_and_live_ones_kept(temp):
    killed, _ = _spool(temp, "killed")  # its refresh died: nobody holds the lock
    running, handle = _spool(temp, "running", locked_by_us=True)  # a refresh still at work
    fresh, _ = _spool(temp, "fresh", lock=False, age=0)  # just made, lock not yet taken
    old_style, _ = _spool(
        temp, "oldstyle", lock=False, age=2 * 24 * 3600
    )  # before the lock existed
    other = temp / "not-ours"
    other.mkdir()
    _age(other, 7200)
    try:
        out = io.StringIO()
        call_command("kpis", "clean", stdout=out)  # what `serve` runs at start-up
        assert "Removed 2 left-over KPI spool folder(s)." in out.getvalue()
        assert not killed.exists() and not old_style.exists()
        assert running.exists() and fresh.exists() and other.exists()
    finally:
        handle.close()


def test_a_refresh_spools_in_a_locked_folder_and_removes_it(temp):
    with services._spool_dir() as path:
        _age(path, 3600)
        assert services.clean_spool_dirs() == []  # ours, locked while the refresh runs
    assert list(temp.glob("kpis-*")) == []
