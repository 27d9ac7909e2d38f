"""The store under faults: a writer killed at each step of its swap, a full disk, left-overs,
and a read-only store. Kills are injected through store_io._fault at named points (no timing),
raising an exception no handler of the store catches, as a kill -9 would leave things."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trustwide.data import derived, store_io
from trustwide.data.store import AnalyticsStore, BatchNotFound, StoreError, StoreFull
from trustwide.data.tests.test_store import marks

YEAR = 2023
# Two schools in different shards (URN // 256), so the swap of one batch is four files:
# partition A, partition B, shard of A, shard of B (attendance_weeks).
URN_A, URN_B, URN_C = 137001, 137300, 137600


def _for(table, urn):
    return table.set_column(
        table.schema.get_field_index("school_urn"),
        "school_urn",
        pa.array([urn] * table.num_rows, pa.int32()),
    )


class Killed(BaseException):
    """Stands for kill -9: not an Exception, so no clean-up handler of the store runs."""


def kill_at(monkeypatch, point, index=None):
    """Raise Killed at the `index`-th (0-based; default the first) call of fault `point`."""
    seen = []

    def hook(name, **detail):
        if name == point:
            seen.append(detail)
            if len(seen) - 1 == (index or 0):
                raise Killed(point)

    monkeypatch.setattr(store_io, "_fault", hook)


def write(store, code, batch_id, urns=(URN_A, URN_B), pupils=range(3)):
    table = marks(pupils, 0, code, n_days=2)
    return store.write_batch(
        dataset="attendance_marks",
        trust_id=1,
        academic_year=YEAR,
        tables={u: _for(table, u) for u in urns},
        batch_id=batch_id,
    )


def state(store, urns=(URN_A, URN_B)):
    """What a KPI read sees: each school's partition, as (pupil, day, session, code, batch)."""
    out = {}
    for urn in urns:
        table = store.read("attendance_marks", 1, urn, YEAR)
        out[urn] = sorted(
            (r["pupil_key"], r["date"], r["session"], r["code"], r["batch_id"])
            for r in table.to_pylist()
        )
    return out


def assert_shards_agree(store):
    """Every shard matches its partitions (stamps) and holds exactly the weekly counts of
    the partition's marks."""
    assert store.stale_derived(1, YEAR) == []
    for urn in (URN_A, URN_B):
        path = store.shard_path(derived.ATTENDANCE_WEEKS, 1, derived.shard_of(urn), YEAR)
        shard = pq.read_table(path)
        shard = shard.filter(pa.compute.equal(shard["school_urn"], urn)).replace_schema_metadata(
            None
        )
        expected = derived.attendance_weeks(
            store.read("attendance_marks", 1, urn, YEAR), school_urn=urn, academic_year=YEAR
        )
        assert shard.equals(expected.cast(shard.schema))


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(".*.tmp")]


@pytest.fixture
def store(tmp_path):
    store = AnalyticsStore(tmp_path / "data")
    write(store, "/", "old")
    return store


@pytest.fixture
def old_and_new(store, tmp_path):
    """The store's state before and after batch "new" (measured on a copy)."""
    old = state(store)
    copy = AnalyticsStore(tmp_path / "copy")
    shutil.copytree(store.root, copy.root)
    write(copy, "I", "new")
    return old, state(copy)


# (point, index of the file just replaced, the state the store must end in)
SWAP_POINTS = [
    pytest.param("write", 0, "none", id="while-writing-the-journal"),
    pytest.param("write", 3, "old", id="while-preparing-a-partition-file"),
    pytest.param("write", 6, "old", id="while-preparing-a-shard-file"),
    # Writes: journal 0, manifest 1, side file and partition of A 2-3 and of B 4-5, shards 6-7,
    # then 8, the manifest listing the swap: the commit point.
    pytest.param("write", 8, "old", id="while-writing-the-manifest-that-lists-the-swap"),
    pytest.param("swap_listed", None, "new", id="manifest-lists-files-before-first-replace"),
    pytest.param("replaced", 0, "new", id="between-partition-replaces"),
    pytest.param("replaced", 1, "new", id="between-partition-and-shard"),
    pytest.param("replaced", 2, "new", id="between-shard-replaces"),
    pytest.param("replaced", 3, "new", id="after-last-replace"),
    pytest.param("swapped", None, "new", id="before-manifest-active"),
    pytest.param("activated", None, "new", id="before-journal-removed"),
]


@pytest.mark.parametrize("recovered_by", ["reader", "next-writer", "start-up"])
@pytest.mark.parametrize(("point", "index", "ends"), SWAP_POINTS)
def test_writer_killed_at_each_swap_point_leaves_old_or_new(
    store, old_and_new, monkeypatch, point, index, ends, recovered_by
):
    old, new = old_and_new
    kill_at(monkeypatch, point, index)
    with pytest.raises(Killed):
        write(store, "I", "new")
    monkeypatch.setattr(store_io, "_fault", lambda name, **detail: None)

    if recovered_by == "reader":
        seen = state(store)  # the reader finishes a half-swapped batch before reading
    elif recovered_by == "next-writer":
        write(store, "/", "next", urns=(URN_C,))
        seen = state(store)
    else:
        done = store.recover()
        assert done or ends == "none", "start-up recovery reports what it finished"
        seen = state(store)

    assert seen == (new if ends == "new" else old)
    assert_shards_agree(store)
    if recovered_by == "reader":
        # A reader finishes only a half-swapped batch; the rest (a batch that was never
        # visible, temporary files) is tidied by the next writer.
        if ends == "old":
            assert store.get_batch("new").status == "preparing"
        store.recover()
    assert temp_files(store.root) == []
    assert not (store.root / "_journal" / "trust=1.json").exists()
    if ends == "none":  # killed before its manifest existed: no trace of the batch
        with pytest.raises(BatchNotFound):
            store.get_batch("new")
        return
    info = store.get_batch("new")
    assert info.status == ("active" if ends == "new" else "failed") and info.swap is None
    if ends == "new":  # the recovered batch rolls back like any other
        store.rollback("new")
        assert state(store) == old
        assert_shards_agree(store)
    else:
        with pytest.raises(StoreError, match="cannot be rolled back: its status is 'failed'"):
            store.rollback("new")


@pytest.mark.parametrize("index", [0, 1, 3])
def test_rollback_killed_mid_swap_is_finished_by_the_next_reader(
    store, old_and_new, monkeypatch, index
):
    old, new = old_and_new
    write(store, "I", "new")
    kill_at(monkeypatch, "replaced", index)
    with pytest.raises(Killed):
        store.rollback("new")
    monkeypatch.setattr(store_io, "_fault", lambda name, **detail: None)
    assert state(store) == old
    assert store.get_batch("new").status == "rolled_back"
    assert_shards_agree(store)
    assert temp_files(store.root) == []


def test_rollback_refuses_a_batch_it_cannot_act_on(store):
    before = state(store)
    with pytest.raises(BatchNotFound, match="No batch 'nope'"):
        store.rollback("nope")
    write(store, "I", "new")
    side = store._side_file("new", "attendance_marks", URN_B, YEAR)
    side.unlink()
    with pytest.raises(
        StoreError,
        match=r"cannot be rolled back safely: the copy of the rows it replaced "
        r"in attendance_marks of school 137300 .* is missing",
    ):
        store.rollback("new")
    assert store.get_batch("new").status == "active"  # nothing changed
    assert state(store) != before and {r[3] for rows in state(store).values() for r in rows} == {
        "I"
    }


def test_a_full_disk_names_the_disk_leaves_the_store_old_and_the_batch_failed(store, monkeypatch):
    before = state(store)
    calls = []

    def full(name, **detail):
        if name == "write":
            calls.append(detail["path"])
            if len(calls) == 3:  # a few files in: a partition file is being written
                raise OSError(errno.ENOSPC, "No space left on device", str(detail["path"]))

    monkeypatch.setattr(store_io, "_fault", full)
    with pytest.raises(StoreFull) as caught:
        write(store, "I", "new")
    message = str(caught.value)
    assert "disk holding the analytics store is full" in message
    assert str(store_io.mount_point(store.root)) in message and str(store.root) in message
    assert "Nothing of batch new was stored" in message
    monkeypatch.setattr(store_io, "_fault", lambda name, **detail: None)
    assert state(store) == before
    assert store.get_batch("new").status == "failed"
    assert temp_files(store.root) == [] and not (store.root / "_journal" / "trust=1.json").exists()
    write(store, "I", "again")  # space freed: the next import works
    assert {r[4] for rows in state(store).values() for r in rows} == {"again"}


def test_start_up_removes_left_over_temporary_files(store):
    partition = store.partition_dir("attendance_marks", 1, URN_A, YEAR)
    stray = partition / ".data.parquet.0123abcd.tmp"  # a version without the journal left it
    stray.write_bytes(b"half a file")
    batch_dir = store.root / "_batches" / "old"
    young, aged = batch_dir / ".manifest.json.young.tmp", batch_dir / ".manifest.json.aged.tmp"
    young.write_bytes(b"{")
    aged.write_bytes(b"{")
    os.utime(aged, (time.time() - 7200,) * 2)
    done = store.recover(temp_age=3600)
    assert not stray.exists() and not aged.exists()
    assert young.exists()  # may belong to a live writer of a batch folder: kept until old
    assert any("temporary file" in line for line in done)
    assert state(store)[URN_A]  # data untouched


def test_reader_opens_the_lock_read_only_and_creates_nothing(store, monkeypatch):
    before = sorted(p for p in store.root.rglob("*"))
    opened = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):
        opened.append((str(path), flags))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(store_io.os, "open", spy)
    assert state(store)[URN_A]
    locks = [(p, f) for p, f in opened if p.endswith(".lock")]
    assert locks and all(f & os.O_ACCMODE == os.O_RDONLY and not f & os.O_CREAT for _p, f in locks)
    assert sorted(p for p in store.root.rglob("*")) == before


def _read_as_nobody(root: Path) -> tuple[int, str]:
    """Read the store in a forked child running as user nobody; (exit status, its output)."""
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(out_r)
            os.setgid(65534)
            os.setuid(65534)
            reader = AnalyticsStore(root)
            rows = reader.read("attendance_marks", 1, URN_A, YEAR).num_rows
            with reader.reading(1):
                files = len(reader.paths("attendance_marks", 1))
            os.write(out_w, f"{rows} {files}".encode())
            code = 0
        except BaseException as exc:  # noqa: BLE001
            os.write(out_w, repr(exc).encode()[:2000])
        finally:
            os._exit(code)
    os.close(out_w)
    with os.fdopen(out_r, "rb") as pipe:
        output = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


@pytest.mark.skipif(
    not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to become nobody"
)
@pytest.mark.parametrize("lock_file", ["present", "missing"])
def test_a_store_the_reader_may_not_write_is_readable(lock_file):
    """The reader runs as an unprivileged user on a store it can read but not write (root
    owns every file, mode 644/755; chmod alone would not stop root itself)."""
    root = Path(tempfile.mkdtemp(prefix="ro-store-"))
    try:
        os.chmod(root, 0o755)
        store = AnalyticsStore(root / "data")
        write(store, "/", "b1")
        if lock_file == "missing":  # a snapshot copied without its lock files
            shutil.rmtree(store.root / "_locks")
        for path in [store.root, *store.root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        before = sorted(store.root.rglob("*"))
        status, output = _read_as_nobody(store.root)
        assert (status, output) == (0, "12 2")
        assert sorted(store.root.rglob("*")) == before
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_read_only_store_left_mid_swap_says_so(store, monkeypatch):
    kill_at(monkeypatch, "replaced", 0)
    with pytest.raises(Killed):
        write(store, "I", "new")
    monkeypatch.setattr(store_io, "_fault", lambda name, **detail: None)

    def read_only(path, flags, *args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(store_io.os, "open", read_only)
    with pytest.raises(
        StoreError, match="interrupted while its files were being swapped in.*read-only"
    ):
        state(store)


KILLER = """
import os, signal, sys
from trustwide.data import store_io
from trustwide.data.store import AnalyticsStore
from trustwide.data.tests.test_store_faults import write

def hook(name, **detail):
    if name == "replaced" and detail["index"] == 1:
        os.kill(os.getpid(), signal.SIGKILL)

store_io._fault = hook
write(AnalyticsStore(sys.argv[1]), "I", "new")
"""


def test_a_real_kill_9_mid_swap(store, old_and_new):
    """The same with a real SIGKILL of a separate process between two replaces: its locks
    die with it, and the next reader finds the batch half swapped and rolls it forward."""
    _old, new = old_and_new
    result = subprocess.run(
        [sys.executable, "-c", KILLER, str(store.root)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert store.get_batch("new").status == "writing"
    assert state(store) == new
    assert_shards_agree(store)
    assert temp_files(store.root) == []
