"""Batch visibility in one step, and recovery from a killed writer (see store.py, and
docs/DATA.md "Faults and recovery").

Every write of a trust (an import, a rollback, a shard rebuild) first records a per-trust
journal, ``<root>/_journal/trust=<t>.json``, naming the batch and the folders it may leave
temporary files in. Before the first ``os.replace`` the batch's manifest lists every file of
the swap (new partitions and shards, and files removed) with status "writing" (a rollback:
"rolling_back"); each listed file is complete and fsynced by then. Whoever takes the trust's
writer lock next (the next import, a reader that finds a swap left half done, start-up
recovery) finishes such a batch: it is rolled FORWARD, because every file it needs is
already written, whereas rolling back would need a copy of every file it replaces. A batch
still "preparing" was never visible: it is marked failed and its temporary files removed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trustwide.data import derived, store_io
from trustwide.data.schemas import DATASETS
from trustwide.data.store_io import StoreError

log = logging.getLogger("trustwide.data.store")


@dataclass
class BatchInfo:
    batch_id: str
    dataset: str
    trust_id: str
    academic_year: int
    school_urns: list[int]
    rows: int
    replaced_rows: int
    created_at: str
    # preparing -> writing -> active -> rolling_back -> rolled_back; or preparing -> failed.
    # Nothing of a batch is visible while "preparing"; from "writing" on it is rolled forward.
    status: str = "preparing"
    rolled_back_at: str | None = None
    # (dataset, school_urn, rows written, rows replaced) for each partition touched.
    partitions: list[list] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    # While "writing"/"rolling_back": every file of the swap, [temporary file or None
    # (remove), final path], relative to the store root.
    swap: list[list] | None = None
    failure: str | None = None


_SWAPPING = ("writing", "rolling_back")


def _mark_interrupted(info: BatchInfo) -> BatchInfo:
    info.status, info.swap = "failed", None
    info.failure = "interrupted before its files were swapped in; nothing of it was visible"
    return info


class BatchJournal:
    """Mixed into AnalyticsStore: the journal, the one-step swap and recovery."""

    # -- batch visibility: one step, journalled (docs/DATA.md, "Faults") ---------------------
    def _journal_path(self, trust_id) -> Path:
        return self.root / "_journal" / f"trust={trust_id}.json"

    def _journal_begin(
        self, trust_id, *, op: str, batch_id: str | None, dirs: Iterable[Path]
    ) -> None:
        path = self._journal_path(trust_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        rel = sorted({str(Path(d).relative_to(self.root)) for d in dirs})
        store_io.atomic_write_bytes(
            path,
            json.dumps(
                {"op": op, "batch_id": batch_id, "dirs": rel, "started_at": _now()}
            ).encode(),
        )

    def _journal_end(self, trust_id) -> None:
        path = self._journal_path(trust_id)
        path.unlink(missing_ok=True)
        store_io.fsync_dir(path.parent)

    def _interrupted_swap(self, trust_id) -> str | None:
        """The batch a dead writer left half swapped in, if any. Only meaningful while holding
        the swap lock: a live writer holds it exclusively throughout its swap."""
        path = self._journal_path(trust_id)
        if not path.exists():
            return None
        try:
            batch_id = json.loads(path.read_text()).get("batch_id")
            info = self.get_batch(batch_id) if batch_id else None
        except (OSError, ValueError, TypeError, StoreError):
            return None
        return batch_id if info is not None and info.status in _SWAPPING else None

    def _commit(self, info: BatchInfo, swaps, *, final: str) -> None:
        """Make the prepared files visible in one step. The manifest lists every file (new
        partitions and shards, and those removed) and says "writing" (or "rolling_back")
        before the first replace: from then on the batch is rolled forward by whoever comes
        next (_recover), because every listed file is already complete and fsynced."""
        rel = self._rel
        info.swap = [[None if tmp is None else rel(tmp), rel(path)] for tmp, path in swaps]
        info.status = "writing" if final == "active" else "rolling_back"
        with store_io.flock(self._lock_file(info.trust_id, "swap"), fcntl.LOCK_EX):
            self._save_manifest(info)
            store_io.fault("swap_listed", batch_id=info.batch_id)
            self._replace_all(swaps)
            store_io.fault("swapped", batch_id=info.batch_id)
            self._finish(info, final)
            store_io.fault("activated", batch_id=info.batch_id)
        self._journal_end(info.trust_id)

    def _finish(self, info: BatchInfo, final: str) -> None:
        info.status, info.swap = final, None
        if final == "rolled_back":
            info.rolled_back_at = _now()
        self._save_manifest(info)

    def _abandon(self, info: BatchInfo, exc: BaseException | None) -> None:
        """A write that failed before its swap: nothing of it is visible. Best effort (the
        disk may be full): if this fails too, the next writer's recovery does it."""
        try:
            if info.status == "preparing":
                info.status = "failed"
                info.failure = (
                    f"{type(exc).__name__}: {exc}"[:300]
                    if exc is not None
                    else "failed before its files were swapped in"
                )
                self._save_manifest(info)
                shutil.rmtree(self._batch_dir(info.batch_id) / "replaced", ignore_errors=True)
            self._recover(info.trust_id)
        except Exception:  # noqa: BLE001
            log.exception("could not record batch %s as failed; recovery will", info.batch_id)

    def _recover(self, trust_id) -> str | None:
        """Finish what a killed writer of this trust left (caller holds the writer lock):
        a batch listed for its swap ("writing"/"rolling_back") is rolled forward; one still
        "preparing" is marked failed (none of it was visible); temporary files in the folders
        the journal names are removed. Returns what was done, or None."""
        path = self._journal_path(trust_id)
        if not path.exists():
            return None
        try:
            journal = json.loads(path.read_text())
        except ValueError:
            journal = {}
        batch_id, done = journal.get("batch_id"), "cleaned up"
        manifest = self._batch_dir(batch_id) / "manifest.json" if batch_id else None
        if manifest is not None and manifest.exists():
            info = _load_manifest(manifest)
            if info.status in _SWAPPING and info.swap is not None:
                with store_io.flock(self._lock_file(trust_id, "swap"), fcntl.LOCK_EX):
                    self._replace_all(
                        [
                            (None if t is None else self.root / t, self.root / p)
                            for t, p in info.swap
                        ]
                    )
                    self._finish(info, "active" if info.status == "writing" else "rolled_back")
                done = f"rolled forward to {info.status}"
            elif info.status == "preparing":
                self._save_manifest(_mark_interrupted(info))
                shutil.rmtree(self._batch_dir(batch_id) / "replaced", ignore_errors=True)
                done = "marked failed (nothing of it was visible)"
        store_io.remove_temp_files([self.root / d for d in journal.get("dirs", [])])
        path.unlink(missing_ok=True)
        store_io.remove_temp_files([path.parent])
        log.warning(
            "store: %s operation %s of trust %s was interrupted: %s",
            journal.get("op", "a"),
            batch_id or "",
            trust_id,
            done,
        )
        return f"{journal.get('op', 'write')} {batch_id or ''} of trust {trust_id}: {done}".replace(
            "  ", " "
        )

    def recover(self, *, temp_age: float = 3600) -> list[str]:
        """Start-up recovery: finish every interrupted batch (each under its trust's writer
        lock), mark failed the batches of older versions left "writing", and remove
        temporary files: in every trust's folders under its writer lock, and in the batch
        folders when older than `temp_age` seconds. Returns what was done."""
        done = []
        trusts = {
            p.name.removeprefix("trust=").removesuffix(".json")
            for p in (self.root / "_journal").glob("trust=*.json")
        }
        for top in self.root.iterdir() if self.root.is_dir() else ():
            if top.name == derived.SHARDS_DIR:
                trusts |= {p.name.removeprefix("trust=") for p in top.glob("*/trust=*")}
            elif top.name in DATASETS:
                trusts |= {p.name.removeprefix("trust=") for p in top.glob("trust=*")}
        for trust_id in sorted(trusts):
            with store_io.flock(self._lock_file(trust_id, "write"), fcntl.LOCK_EX):
                what = self._recover(trust_id)
                if what:
                    done.append(what)
                folders = [
                    p
                    for name in DATASETS
                    for p in (self.root / name / f"trust={trust_id}").glob("*/*")
                ]
                folders += list((self.root / derived.SHARDS_DIR).glob(f"*/trust={trust_id}/*/*"))
                removed = store_io.remove_temp_files(folders)
                if removed:
                    done.append(f"removed {len(removed)} temporary file(s) of trust {trust_id}")
        batch_dirs = [p for p in (self.root / "_batches").glob("*") if p.is_dir()]
        removed = store_io.remove_temp_files(
            [d for b in batch_dirs for d in [b, *b.glob("replaced/*/*")]]
            + [self.root / "_journal"],
            older_than=temp_age,
        )
        if removed:
            done.append(f"removed {len(removed)} temporary file(s) in batch folders")
        for info in self.list_batches():
            if (
                info.status == "writing" and info.swap is None
            ):  # left by a version without a journal
                self._save_manifest(_mark_interrupted(info))
                done.append(
                    f"batch {info.batch_id}: marked failed (interrupted, written by an older version)"
                )
        return done


def _load_manifest(path: Path) -> BatchInfo:
    return BatchInfo(**json.loads(path.read_text()))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
