"""File-level helpers of the analytics store (store.py): durable writes, locks, left-over
temporary files, clear messages for a full disk, and the fault hook tests use.

Temporary files are named ``.<final name>.<hex>.tmp`` beside their final path, so they are
never read as data (readers skip dot files) and can be found and removed later.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger("trustwide.data.store")

TMP_SUFFIX = ".tmp"
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
# A reader cannot take the lock when the store is read-only: these say so.
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class StoreError(Exception):
    """A store operation refused or failed; the message is meant for the user as it is."""


class StoreFull(StoreError):
    """No space left on the disk holding the store (nothing of the batch was stored)."""


class BatchNotFound(StoreError, FileNotFoundError):
    pass


def _fault(point: str, **detail) -> None:
    """Test hook: called at each named step of a write ("write", "swap_listed", "replaced",
    "swapped", "activated"...). A test replaces it to raise there, as a kill or a full disk
    would; in production it does nothing."""


def fault(point: str, **detail) -> None:
    _fault(point, **detail)


# -- durable writes -------------------------------------------------------------------------
def temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}{TMP_SUFFIX}")


def write_beside(path: Path, table: pa.Table) -> Path:
    """Write `table` fully (fsynced) to a temporary file beside `path`; return its path."""
    tmp = temp_beside(path)
    try:
        fault("write", path=tmp)
        with open(tmp, "wb") as handle:
            pq.write_table(table, handle, compression="zstd", row_group_size=1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: Path, table: pa.Table) -> None:
    tmp = write_beside(path, table)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = temp_beside(path)
    try:
        fault("write", path=tmp)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; without it a crash can bring back the old file.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def discard(swaps) -> None:
    for tmp, _path in swaps:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def remove_temp_files(
    directories: Iterable[Path], *, older_than: float | None = None
) -> list[Path]:
    """Remove the store's temporary files (``.*.tmp``) directly in `directories`; only those
    not modified for `older_than` seconds when given. The caller holds the lock that keeps
    live writers out of these folders (or passes an age no live write reaches)."""
    removed = []
    cutoff = None if older_than is None else time.time() - older_than
    for directory in directories:
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if (
                not (entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX))
                or not entry.is_file()
            ):
                continue
            try:
                if cutoff is not None and entry.stat().st_mtime > cutoff:
                    continue
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed


# -- locks ----------------------------------------------------------------------------------
@contextmanager
def flock(path: Path, mode: int) -> Iterator[None]:
    """A writer's lock (creates the lock file: writers need write access anyway)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def shared_lock_for_reading(path: Path) -> Iterator[bool]:
    """Hold `path` shared while reading; yields whether a lock is held.

    The lock file is opened read-only (flock needs no write access), so a read-only store or a
    snapshot copy is readable. Only when the file is missing is it created, which a writable
    store allows; on a read-only store there is then no writer to exclude, and the read goes
    ahead without a lock."""
    fd = None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno not in _READ_ONLY:
                raise
    except OSError as exc:
        if exc.errno not in _READ_ONLY:
            raise
    if fd is None:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield True
    finally:
        os.close(fd)  # closing releases the lock


# -- a full disk ----------------------------------------------------------------------------
def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


def mount_point(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists():
        path = path.parent
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def disk_full_message(root: Path, exc: OSError, what: str) -> str:
    where = getattr(exc, "filename", None) or root
    try:
        free = f"{shutil.disk_usage(mount_point(root)).free / 1e6:,.0f} MB free"
    except OSError:
        free = "free space unknown"
    return (
        f"The disk holding the analytics store is full: no space left on the disk mounted at "
        f"{mount_point(root)} (store folder {root}; {free}) while writing {where}. Nothing of "
        f"{what} was stored. Free space on that disk and try again."
    )
