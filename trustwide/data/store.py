"""The analytics store: pupil-level Parquet files, one per (dataset, trust, school, year).

Layout (hive style, so DuckDB/Ibis read_parquet can prune by trust, school and year):

    <root>/<dataset>/trust=<trust_id>/school=<urn>/year=<start year>/data.parquet
    <root>/_batches/<batch_id>/manifest.json
    <root>/_batches/<batch_id>/replaced/<dataset>/school=<urn>/year=<y>.parquet
    <root>/_journal/trust=<trust_id>.json       (only while a write of the trust is under way)

Each partition is ONE file, replaced whole with os.replace after an fsync. A batch's new files
are all written first, then swapped in together while the trust's swap lock is held
exclusively; readers hold it shared (`with store.reading(trust_id): ...`), so a reader sees the
whole of a batch or none of it, on every school the batch touches, even when its reader opens
a file more than once (pyarrow datasets and DuckDB do). Writers of one trust are serialised.
A writer killed during its swap leaves a batch that the next writer, reader or start-up
recovery rolls forward (store_journal.py); readers need no write access (store_io.py).
(flock works between processes of one machine; a hosted, multi-machine deployment needs an
object store with versioned reads instead.)
A newer batch replaces older rows with the same natural key; the rows it replaced are kept
in the batch's side file, so rolling the batch back restores them.

Derived data (trustwide.data.derived): every import or rollback also rewrites, in the same
swap, the shards derived from the partitions it touches (the KPI refresh's copies of each
dataset by group of schools, and the weekly attendance counts), so a reader never sees a
partition and what is derived from it disagree. ``ensure_derived`` rebuilds shards that are
missing or out of date (a store written before they existed, a new format version, files
written by something other than the store).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trustwide.data import derived, store_io
from trustwide.data.schemas import DATASETS, Dataset
from trustwide.data.store_io import BatchNotFound, StoreError, StoreFull
from trustwide.data.store_io import discard as _discard
from trustwide.data.store_io import write_beside as _write_beside
from trustwide.data.store_journal import BatchInfo, BatchJournal, _load_manifest, _now

DATA_FILE = "data.parquet"
log = logging.getLogger(__name__)
_BATCH_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class AnalyticsStore(BatchJournal):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # -- reading ---------------------------------------------------------------------------
    def partition_dir(self, dataset: str, trust_id, school_urn: int, academic_year: int) -> Path:
        return (
            self.root
            / dataset
            / f"trust={trust_id}"
            / f"school={int(school_urn)}"
            / f"year={int(academic_year)}"
        )

    def glob(self, dataset: str, trust_id) -> str:
        """Pattern for read_parquet over a whole trust (DuckDB, Ibis, pyarrow.dataset)."""
        return str(self.root / dataset / f"trust={trust_id}" / "school=*" / "year=*" / DATA_FILE)

    def paths(
        self,
        dataset: str,
        trust_id,
        school_urns: Iterable[int] | None = None,
        years: Iterable[int] | None = None,
    ) -> list[str]:
        """Existing data files, sorted; pass the list to read_parquet (empty: no data)."""
        base = self.root / dataset / f"trust={trust_id}"
        urns = None if school_urns is None else {int(u) for u in school_urns}
        wanted_years = None if years is None else {int(y) for y in years}
        out = []
        for path in sorted(base.glob(f"school=*/year=*/{DATA_FILE}")):
            urn = int(path.parent.parent.name.removeprefix("school="))
            year = int(path.parent.name.removeprefix("year="))
            if (urns is None or urn in urns) and (wanted_years is None or year in wanted_years):
                out.append(str(path))
        return out

    def read(self, dataset: str, trust_id, school_urn: int, academic_year: int) -> pa.Table:
        path = self.partition_dir(dataset, trust_id, school_urn, academic_year) / DATA_FILE
        with self.reading(trust_id):
            return self._read(path, DATASETS[dataset])

    # -- writing ---------------------------------------------------------------------------
    def write_batch(
        self,
        *,
        dataset: str,
        trust_id,
        academic_year: int,
        tables: Mapping[int, pa.Table],
        batch_id: str | None = None,
        meta: Mapping | None = None,
    ) -> BatchInfo:
        """Store validated tables (school URN -> table, as ValidationResult.tables) as one batch.

        Characteristics also refresh the `pupils` roster in the same batch.
        """
        return self.write_datasets(
            label=dataset,
            trust_id=trust_id,
            academic_year=academic_year,
            datasets={dataset: tables},
            batch_id=batch_id,
            meta=meta,
        )

    def write_datasets(
        self,
        *,
        label: str,
        trust_id,
        academic_year: int,
        datasets: Mapping[str, Mapping[int, pa.Table]],
        batch_id: str | None = None,
        meta: Mapping | None = None,
    ) -> BatchInfo:
        """Store several datasets' tables (a CTF holds characteristics, marks and results) as ONE
        batch: swapped in together, rolled back together. `label` is the batch's dataset name."""
        batch_id = batch_id or _new_batch_id()
        if not _BATCH_ID.match(batch_id):
            raise ValueError(f"bad batch id {batch_id!r}")
        if (self._batch_dir(batch_id) / "manifest.json").exists():
            raise ValueError(f"batch {batch_id} already exists")
        info = BatchInfo(
            batch_id=batch_id,
            dataset=label,
            trust_id=str(trust_id),
            academic_year=int(academic_year),
            school_urns=sorted({int(u) for tables in datasets.values() for u in tables}),
            rows=0,
            replaced_rows=0,
            created_at=_now(),
            meta=dict(meta or {}),
        )
        # Every folder this write may leave temporary files in (named in the journal).
        names = set(datasets) | ({"pupils"} if "characteristics" in datasets else set())
        derived_names = [n for n, src in derived.SOURCES.items() if src in names]
        dirs = [self._batch_dir(batch_id)]
        for name in sorted(names):
            for urn in sorted(datasets.get(name, datasets.get("characteristics", {}))):
                dirs += [
                    self.partition_dir(name, trust_id, urn, academic_year),
                    self._side_file(batch_id, name, urn, academic_year).parent,
                ]
        for urn in info.school_urns:
            dirs += [
                self.shard_path(n, trust_id, derived.shard_of(urn), academic_year).parent
                for n in derived_names
            ]
        with self._writing(trust_id):  # finishes an interrupted batch of this trust first
            # The journal names the folders this write may leave temporary files in; the
            # manifest (status "preparing") says nothing of the batch is visible yet.
            self._journal_begin(trust_id, op="write", batch_id=batch_id, dirs=dirs)
            self._save_manifest(info)
            swaps = []
            changed: dict[str, dict[int, tuple[pa.Table, Path | None]]] = {}
            try:
                for dataset, tables in datasets.items():
                    spec = DATASETS[dataset]
                    for urn, table in sorted(tables.items()):
                        parts = [(spec, table)]
                        if dataset == "characteristics":
                            parts.append(
                                (DATASETS["pupils"], table.select(DATASETS["pupils"].schema.names))
                            )
                        for part_spec, part_table in parts:
                            swap, written, replaced, merged = self._prepare_partition(
                                part_spec,
                                trust_id,
                                int(urn),
                                int(academic_year),
                                part_table,
                                batch_id,
                            )
                            swaps.append(swap)
                            changed.setdefault(part_spec.name, {})[int(urn)] = (merged, swap[0])
                            info.partitions.append([part_spec.name, int(urn), written, replaced])
                            if part_spec is spec:
                                info.rows += written
                                info.replaced_rows += replaced
                for name, schools in changed.items():
                    swaps += self._prepare_derived(name, trust_id, int(academic_year), schools)
            except Exception as exc:  # a kill leaves all this to the next writer's recovery
                _discard(swaps)
                self._abandon(info, exc)
                if store_io.is_disk_full(exc):
                    raise StoreFull(
                        store_io.disk_full_message(self.root, exc, f"batch {batch_id}")
                    ) from exc
                raise
            self._commit(info, swaps, final="active")
        return info

    def _prepare_partition(
        self, spec: Dataset, trust_id, urn: int, year: int, table: pa.Table, batch_id: str
    ):
        """Write the partition's next file beside the current one; swapped in by _swap.

        Returns ((temporary file, final path), rows written, rows replaced, the new content)."""
        new = _conform(spec, table, urn, year, batch_id)
        directory = self.partition_dir(spec.name, trust_id, urn, year)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / DATA_FILE
        old = self._read(path, spec) if path.exists() else None
        replaced = None
        if old is not None and old.num_rows:
            hit = _key_in(old, new, spec.natural_key)
            replaced = old.filter(hit)
            merged = pa.concat_tables([old.filter(pc.invert(hit)), new])
        else:
            merged = new
        side = self._side_file(batch_id, spec.name, urn, year)
        side.parent.mkdir(parents=True, exist_ok=True)
        # Written even when empty: rollback then knows the partition's prior state.
        store_io.atomic_write(
            side,
            replaced.select(spec.schema.names).cast(spec.schema)
            if replaced is not None
            else spec.schema.empty_table(),
        )
        swap = (_write_beside(path, merged), path)
        return swap, new.num_rows, 0 if replaced is None else replaced.num_rows, merged

    # -- locking ---------------------------------------------------------------------------
    def _lock_file(self, trust_id, kind: str) -> Path:
        return self.root / "_locks" / f"trust={trust_id}.{kind}.lock"

    @contextmanager
    def reading(self, trust_id):
        """Hold while reading a trust's files: no batch is swapped in meanwhile.

        Needs no write access: the lock file is opened read-only, and a read-only store is
        read without it (nothing can write there). A batch whose writer died in the middle of
        its swap is finished first (rolled forward), so a reader never sees part of one."""
        while True:
            with store_io.shared_lock_for_reading(self._lock_file(trust_id, "swap")) as locked:
                interrupted = self._interrupted_swap(trust_id)
                if interrupted is None:
                    yield
                    return
                if not locked:
                    raise StoreError(
                        f"Batch {interrupted} of trust {trust_id} was interrupted while its files were "
                        f"being swapped in, and the store at {self.root} is read-only here, so it cannot "
                        "be finished: open the store once with write access (trustwide reconcile_imports)."
                    )
            with self._writing(trust_id):  # recovers; then read again under the shared lock
                pass

    @contextmanager
    def _writing(self, trust_id):
        """One writer per trust at a time: read-merge-write must not interleave. Whatever a
        killed writer of this trust left (a half-swapped batch, temporary files) is dealt with
        first (_recover)."""
        with store_io.flock(self._lock_file(trust_id, "write"), fcntl.LOCK_EX):
            self._recover(trust_id)
            yield

    def _swap(self, trust_id, swaps: list[tuple[Path | None, Path]]) -> None:
        """Put prepared files in place while readers are held off (ensure_derived's shards:
        each is consistent with its sources by itself, so no journal is needed).
        A None source removes the file."""
        with store_io.flock(self._lock_file(trust_id, "swap"), fcntl.LOCK_EX):
            self._replace_all(swaps)

    def _replace_all(self, swaps) -> None:
        for i, (tmp, path) in enumerate(swaps):
            if tmp is None:
                path.unlink(missing_ok=True)
            elif tmp.exists():
                os.replace(tmp, path)
            elif not path.exists():  # on a replay a missing tmp was moved already; not both
                raise StoreError(f"cannot finish the swap: {tmp} and {path} are both missing")
            store_io.fault("replaced", index=i, path=path)
        for directory in {path.parent for _, path in swaps}:
            if directory.exists():
                store_io.fsync_dir(directory)

    # -- derived data (trustwide.data.derived) ----------------------------------------------
    def shard_path(self, name: str, trust_id, shard: int, academic_year: int) -> Path:
        return (
            self.root
            / derived.SHARDS_DIR
            / name
            / f"trust={trust_id}"
            / f"shard={int(shard)}"
            / f"year={int(academic_year)}"
            / DATA_FILE
        )

    def shard_paths(
        self, name: str, trust_id, school_urns: Iterable[int], academic_year: int
    ) -> list[str]:
        """The shard files of derived dataset `name` holding these schools' rows (existing
        ones, sorted); rows of other schools of the trust share them."""
        shards = sorted({derived.shard_of(u) for u in school_urns})
        paths = (self.shard_path(name, trust_id, k, academic_year) for k in shards)
        return [str(p) for p in paths if p.exists()]

    def _sources(self, dataset: str, trust_id, academic_year: int) -> dict[int, dict[str, Path]]:
        """School URN -> its files of `dataset` for the year, by path under the year folder:
        data.parquet, and any other *.parquet a bulk load put there, in subfolders too (readers
        of the store read them all)."""
        base = self.root / dataset / f"trust={trust_id}"
        out = {}
        if not base.is_dir():
            return out
        year = f"year={int(academic_year)}"
        for entry in os.scandir(base):
            if entry.name.startswith("school="):
                files = _parquet_files(os.path.join(entry.path, year))
                if files:
                    out[int(entry.name.removeprefix("school="))] = files
        return out

    @staticmethod
    def _stamp(files: list[tuple[str, Path]]) -> list[list]:
        """What a school's derived rows come from: [path under the year folder, size, mtime_ns]."""
        out = []
        for name, path in sorted(files):
            try:
                st = path.stat()
                out.append([name, st.st_size, st.st_mtime_ns])
            except OSError:  # gone since it was listed, or a broken link: stale next time
                out.append([name, -1, -1])
        return out

    def _shards_present(self, name: str, trust_id, academic_year: int) -> set[int]:
        base = self.root / derived.SHARDS_DIR / name / f"trust={trust_id}"
        present = set()
        if base.is_dir():
            for entry in os.scandir(base):
                if (
                    entry.name.startswith("shard=")
                    and (Path(entry.path) / f"year={int(academic_year)}" / DATA_FILE).exists()
                ):
                    present.add(int(entry.name.removeprefix("shard=")))
        return present

    def stale_derived(
        self,
        trust_id,
        academic_year: int,
        school_urns: Iterable[int] | None = None,
        names: Iterable[str] = derived.NAMES,
    ) -> list[tuple[str, int]]:
        """(derived dataset, shard) pairs that do not match the files they come from (missing, an
        older format version, a school's file changed, added or gone). Only shards holding
        `school_urns` are checked when given. Read-only; hold store.reading() for an answer
        that a concurrent import cannot change."""
        wanted = None if school_urns is None else {derived.shard_of(u) for u in school_urns}
        stale = []
        for name in names:
            expected: dict[int, dict[str, list]] = {}
            for urn, files in self._sources(derived.SOURCES[name], trust_id, academic_year).items():
                if wanted is None or derived.shard_of(urn) in wanted:
                    expected.setdefault(derived.shard_of(urn), {})[str(urn)] = self._stamp(
                        list(files.items())
                    )
            present = self._shards_present(name, trust_id, academic_year)
            for shard in sorted(set(expected) | present):
                if wanted is not None and shard not in wanted:
                    continue
                path = self.shard_path(name, trust_id, shard, academic_year)
                meta = derived.read_metadata(pq.read_schema(path)) if path.exists() else None
                if not derived.current(meta, name) or meta.get("sources") != expected.get(
                    shard, {}
                ):
                    stale.append((name, shard))
        return stale

    def ensure_derived(
        self,
        trust_id,
        academic_year: int | None = None,
        *,
        rebuild: bool = False,
        processes: int = 1,
        names: Iterable[str] = derived.NAMES,
    ) -> list[tuple[int, str, int]]:
        """Rebuild the derived shards that are stale (all of them with rebuild=True), for one
        academic year or every year with data. Returns the (year, name, shard) rebuilt.
        Takes the writer lock and swaps like an import: do not call it while holding
        store.reading() for the same trust. processes > 1 builds shards in parallel (a whole
        national-size store: about 3 billion marks)."""
        names = tuple(names)
        if academic_year is None:
            years = set()
            for name in names:
                for folder in (
                    self.root / derived.SOURCES[name] / f"trust={trust_id}",
                    self.root / derived.SHARDS_DIR / name / f"trust={trust_id}",
                ):
                    years |= {int(p.name.removeprefix("year=")) for p in folder.glob("*/year=*")}
            years = sorted(years)
        else:
            years = [int(academic_year)]
        done = []
        for year in years:
            if not rebuild and not self.stale_derived(trust_id, year, names=names):
                continue
            with self._writing(trust_id):
                if rebuild:
                    todo = []
                    for name in names:
                        sources = self._sources(derived.SOURCES[name], trust_id, year)
                        todo += [
                            (name, k)
                            for k in sorted(
                                {derived.shard_of(u) for u in sources}
                                | self._shards_present(name, trust_id, year)
                            )
                        ]
                else:
                    todo = self.stale_derived(trust_id, year, names=names)
                if not todo:
                    continue
                # Shards are each consistent with their sources by themselves, so the journal
                # is only for the temporary files a kill would leave.
                self._journal_begin(
                    trust_id,
                    op="derive",
                    batch_id=None,
                    dirs=[self.shard_path(name, trust_id, k, year).parent for name, k in todo],
                )
                sources = {
                    name: self._sources(derived.SOURCES[name], trust_id, year)
                    for name in {n for n, _k in todo}
                }
                swaps = []
                try:
                    if processes > 1 and len(todo) > 1:
                        from concurrent.futures import ProcessPoolExecutor

                        with ProcessPoolExecutor(processes) as pool:
                            jobs = [
                                pool.submit(
                                    _write_shard_job,
                                    str(self.root),
                                    name,
                                    trust_id,
                                    year,
                                    shard,
                                    sources[name],
                                    rebuild,
                                )
                                for name, shard in todo
                            ]
                            failed = None
                            for job in jobs:  # collect every finished file, so none is left behind
                                try:
                                    swaps.append(job.result())
                                except BaseException as exc:  # noqa: BLE001
                                    failed = failed or exc
                            if failed is not None:
                                raise failed
                    else:
                        for name, shard in todo:
                            swaps.append(
                                self._write_shard(
                                    name, trust_id, year, shard, {}, sources[name], force=rebuild
                                )
                            )
                except Exception as exc:
                    _discard(swaps)
                    self._recover(trust_id)
                    if store_io.is_disk_full(exc):
                        raise StoreFull(
                            store_io.disk_full_message(self.root, exc, "the rebuilt shards")
                        ) from exc
                    raise
                self._swap(trust_id, swaps)
                self._journal_end(trust_id)
                done += [(year, name, shard) for name, shard in todo]
        return done

    def _prepare_derived(
        self, dataset: str, trust_id, year: int, changed: dict[int, tuple[pa.Table, Path | None]]
    ):
        """Next shard files of every derived dataset of `dataset` for schools whose partitions
        are changing: `changed` maps URN -> (new content, its not yet swapped-in file or None
        when the partition empties)."""
        swaps = []
        try:
            names = [n for n, source in derived.SOURCES.items() if source == dataset]
            sources = self._sources(dataset, trust_id, year) if names else {}
            for name in names:
                for shard in sorted({derived.shard_of(u) for u in changed}):
                    mine = {u: c for u, c in changed.items() if derived.shard_of(u) == shard}
                    swaps.append(self._write_shard(name, trust_id, year, shard, mine, sources))
        except BaseException:
            _discard(swaps)
            raise
        return swaps

    def _write_shard(
        self,
        name: str,
        trust_id,
        year: int,
        shard: int,
        changed: dict,
        sources: dict[int, dict[str, Path]],
        *,
        force: bool = False,
    ):
        """Build one shard: the changed schools (all of this shard) from their new content, every
        other school of the shard from the current shard file when it is up to date (unless
        `force`), else from its files."""
        path = self.shard_path(name, trust_id, shard, year)
        current, recorded, was_ignored = None, {}, {}
        if path.exists() and not force:
            current = pq.ParquetFile(path).read()
            meta = derived.read_metadata(current.schema)
            if derived.current(meta, name):
                recorded, was_ignored = meta.get("sources", {}), meta.get("ignored", {})
            else:
                current = None
        parts, stamps, ignored = [], {}, {}
        for urn in sorted({u for u in sources if derived.shard_of(u) == shard} | set(changed)):
            # Files not written by the store (a bulk load) stay beside data.parquet.
            foreign = [(n, f) for n, f in sources.get(urn, {}).items() if n != DATA_FILE]
            if urn in changed:
                content, new_file = changed[urn]
                files = foreign + ([(DATA_FILE, new_file)] if new_file is not None else [])
                tables = [content] if new_file is not None else []
                to_read = foreign
            else:
                files = list(sources[urn].items())
                tables, to_read = [], sorted(files, key=lambda nf: nf[0] != DATA_FILE)
            if not files:  # the school's partition is emptied
                continue
            stamp = self._stamp(files)
            stamps[str(urn)] = stamp
            if urn not in changed and current is not None and recorded.get(str(urn)) == stamp:
                parts.append(
                    current.filter(pc.equal(current["school_urn"], urn)).cast(
                        derived.schema_of(name)
                    )
                )
                if was_ignored.get(str(urn)):
                    ignored[str(urn)] = was_ignored[str(urn)]
                continue
            unreadable = 0
            for _n, f in to_read:
                table = _read_columns(f, derived.source_columns(name))
                if table is None:
                    unreadable += _row_count(f)
                else:
                    tables.append(table)
            rows, left_out = derived.build(name, tables, school_urn=urn, academic_year=year)
            if left_out + unreadable:
                ignored[str(urn)] = left_out + unreadable
                log.warning(
                    "%s of school %s, %s: %d rows in files written around the store "
                    "were left out (see docs/DATA.md, derived shards)",
                    derived.SOURCES[name],
                    urn,
                    year,
                    left_out + unreadable,
                )
            parts.append(rows.cast(derived.schema_of(name)))
        merged = pa.concat_tables(parts) if parts else derived.empty(name)
        if not stamps:
            return (None, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return (_write_beside(path, derived.with_metadata(merged, name, stamps, ignored)), path)

    # -- batches ---------------------------------------------------------------------------
    def list_batches(self, *, trust_id=None, dataset: str | None = None) -> list[BatchInfo]:
        out = []
        for manifest in (self.root / "_batches").glob("*/manifest.json"):
            info = _load_manifest(manifest)
            if (trust_id is None or info.trust_id == str(trust_id)) and (
                dataset is None or info.dataset == dataset
            ):
                out.append(info)
        return sorted(out, key=lambda b: (b.created_at, b.batch_id))

    def get_batch(self, batch_id: str) -> BatchInfo:
        """The batch's manifest; BatchNotFound (a StoreError) when there is none."""
        if not batch_id or not _BATCH_ID.match(batch_id):
            raise BatchNotFound(f"No batch {batch_id!r} in the analytics store.")
        path = self._batch_dir(batch_id) / "manifest.json"
        try:
            return _load_manifest(path)
        except FileNotFoundError:
            raise BatchNotFound(
                f"No batch {batch_id!r} in the analytics store ({path} is missing)."
            ) from None
        except (ValueError, TypeError) as exc:
            raise StoreError(
                f"The manifest of batch {batch_id} ({path}) cannot be read: {exc}"
            ) from exc

    def rollback(self, batch_id: str) -> BatchInfo:
        """Remove a batch's rows and restore the rows it replaced (unless a later batch has
        replaced them since, in which case the later batch's rows stay).

        Refuses (StoreError, with the reason) a batch it cannot act on: one that never became
        visible (failed, or interrupted before its swap), or whose manifest or copies of the
        replaced rows are incomplete. A batch interrupted during its swap is first rolled
        forward, then rolled back."""
        info = self.get_batch(batch_id)
        if info.status == "rolled_back":
            return info
        with self._writing(info.trust_id):
            info = self.get_batch(batch_id)  # as recovery left it
            if info.status == "rolled_back":
                return info
            self._check_can_roll_back(info)
            self._journal_begin(
                info.trust_id,
                op="rollback",
                batch_id=batch_id,
                dirs=[
                    self.partition_dir(name, info.trust_id, urn, info.academic_year)
                    for name, urn, *_ in info.partitions
                ]
                + [
                    self.shard_path(
                        n, info.trust_id, derived.shard_of(urn), info.academic_year
                    ).parent
                    for name, urn, *_ in info.partitions
                    for n, src in derived.SOURCES.items()
                    if src == name
                ],
            )
            try:
                swaps = self._prepare_rollback(info)
            except Exception as exc:
                self._abandon(info, exc)  # nothing swapped: the batch stays active
                if store_io.is_disk_full(exc):
                    raise StoreFull(
                        store_io.disk_full_message(
                            self.root, exc, f"the rollback of batch {batch_id}"
                        )
                    ) from exc
                raise
            self._commit(info, swaps, final="rolled_back")
        return info

    def _check_can_roll_back(self, info: BatchInfo) -> None:
        if info.status != "active":
            why = f" ({info.failure})" if info.failure else ""
            raise StoreError(
                f"Batch {info.batch_id} cannot be rolled back: its status is "
                f"'{info.status}'{why}, so none of its rows are in the store."
            )
        problems = []
        if info.rows and not info.partitions:
            problems.append(f"its manifest lists no partitions but {info.rows} rows")
        for name, urn, *_ in info.partitions:
            if name not in DATASETS:
                problems.append(f"unknown dataset '{name}'")
            elif not self._side_file(info.batch_id, name, urn, info.academic_year).exists():
                problems.append(
                    f"the copy of the rows it replaced in {name} of school {urn} "
                    f"({self._side_file(info.batch_id, name, urn, info.academic_year)}) is missing"
                )
        if problems:
            raise StoreError(
                f"Batch {info.batch_id} cannot be rolled back safely: "
                + "; ".join(problems)
                + ". Nothing was changed."
            )

    def _prepare_rollback(self, info: BatchInfo):
        batch_id, year = info.batch_id, info.academic_year
        swaps = []
        changed: dict[str, dict[int, tuple[pa.Table, Path | None]]] = {}
        try:
            for name, urn, _written, _replaced in info.partitions:
                spec = DATASETS[name]
                directory = self.partition_dir(name, info.trust_id, urn, year)
                directory.mkdir(parents=True, exist_ok=True)
                path = directory / DATA_FILE
                current = self._read(path, spec) if path.exists() else spec.schema.empty_table()
                remaining = current.filter(pc.not_equal(current["batch_id"], batch_id))
                restore = self._resolve_restore(
                    spec, info.trust_id, urn, year, batch_id, {batch_id}
                )
                if restore.num_rows and remaining.num_rows:
                    restore = restore.filter(
                        pc.invert(_key_in(restore, remaining, spec.natural_key))
                    )
                merged = pa.concat_tables(
                    [remaining, restore.select(spec.schema.names).cast(spec.schema)]
                )
                swaps.append((_write_beside(path, merged) if merged.num_rows else None, path))
                changed.setdefault(name, {})[int(urn)] = (merged, swaps[-1][0])
            for dataset, schools in changed.items():
                swaps += self._prepare_derived(dataset, info.trust_id, year, schools)
        except BaseException:
            _discard(swaps)
            raise
        return swaps

    def _resolve_restore(self, spec, trust_id, urn, year, batch_id, rolling: set[str]) -> pa.Table:
        """Rows batch_id replaced; rows of batches already rolled back are swapped, key by key,
        for the rows those batches had replaced in turn."""
        side = self._side_file(batch_id, spec.name, urn, year)
        rows = self._read(side, spec) if side.exists() else spec.schema.empty_table()
        if not rows.num_rows:
            return rows
        parts = []
        for other in pc.unique(rows["batch_id"]).to_pylist():
            mine = rows.filter(pc.equal(rows["batch_id"], other))
            if other in rolling or not self._is_rolled_back(other):
                parts.append(mine)
                continue
            earlier = self._resolve_restore(spec, trust_id, urn, year, other, rolling | {other})
            if earlier.num_rows:
                parts.append(earlier.filter(_key_in(earlier, mine, spec.natural_key)))
        return pa.concat_tables(parts) if parts else spec.schema.empty_table()

    def _is_rolled_back(self, batch_id: str) -> bool:
        manifest = self._batch_dir(batch_id) / "manifest.json"
        return manifest.exists() and _load_manifest(manifest).status == "rolled_back"

    # -- erasure (trustwide.data.erasure; kept apart so the swap internals can change) ------
    def erase_pupils(self, trust_id, pupil_keys: Iterable[str]) -> dict[str, dict[str, int]]:
        """Remove every row of these pupils from the trust's store in one batch-like step,
        under the trust's writer lock: every Parquet file of every dataset and year (files a
        bulk load put beside data.parquet too) and every derived shard, in one swap as an
        import; and the rollback copies of the trust's batches (which hold rows later imports
        replaced). Returns rows removed, as {"partitions": {dataset: n}, "rollback_copies":
        {dataset: n}}."""
        keys = pa.array(sorted(set(pupil_keys)), pa.string())
        removed: dict[str, dict[str, int]] = {"partitions": {}, "rollback_copies": {}}
        if not len(keys):
            return removed

        def without(table: pa.Table) -> tuple[pa.Table, int]:
            if "pupil_key" not in table.column_names:
                return table, 0
            hit = pc.is_in(table["pupil_key"], value_set=keys)
            return table.filter(pc.invert(hit)), pc.sum(hit).as_py() or 0

        with self._writing(trust_id):
            swaps: list[tuple[Path | None, Path]] = []
            changed: dict[tuple[str, int], dict[int, tuple[pa.Table, Path | None]]] = {}
            try:
                for name, spec in DATASETS.items():
                    base = self.root / name / f"trust={trust_id}"
                    for folder in sorted(base.glob("school=*/year=*")):
                        urn = int(folder.parent.name.removeprefix("school="))
                        year = int(folder.name.removeprefix("year="))
                        for rel, path in _parquet_files(str(folder)).items():
                            ours = rel == DATA_FILE
                            kept, n = without(
                                self._read(path, spec) if ours else pq.ParquetFile(path).read()
                            )
                            if not n:
                                continue
                            swaps.append(
                                (_write_beside(path, kept) if kept.num_rows else None, path)
                            )
                            if ours:
                                changed.setdefault((name, year), {})[urn] = (kept, swaps[-1][0])
                            removed["partitions"][name] = removed["partitions"].get(name, 0) + n
                for (name, year), schools in sorted(changed.items()):
                    swaps += self._prepare_derived(name, trust_id, year, schools)
                # Every shard, as it will be after the swap, without the pupils: a shard built
                # from a file written around the store still holds them until its rebuild.
                next_of = {path: i for i, (_tmp, path) in enumerate(swaps)}
                for shard in sorted(
                    (self.root / derived.SHARDS_DIR).glob(
                        f"*/trust={trust_id}/shard=*/year=*/{DATA_FILE}"
                    )
                ):
                    current = swaps[next_of[shard]][0] if shard in next_of else shard
                    if current is None:
                        continue
                    table = pq.ParquetFile(current).read()
                    kept, n = without(table)
                    if n:
                        tmp = _write_beside(
                            shard, kept.replace_schema_metadata(table.schema.metadata)
                        )
                        if shard in next_of:
                            current.unlink(missing_ok=True)
                            swaps[next_of[shard]] = (tmp, shard)
                        else:
                            swaps.append((tmp, shard))
                # Rollback copies are read only by rollback (which holds the writer lock).
                for info in self.list_batches(trust_id=trust_id):
                    for side in sorted(
                        (self._batch_dir(info.batch_id) / "replaced").glob("*/*/*.parquet")
                    ):
                        kept, n = without(pq.ParquetFile(side).read())
                        if n:
                            store_io.atomic_write(side, kept)
                            name = side.parent.parent.name
                            removed["rollback_copies"][name] = (
                                removed["rollback_copies"].get(name, 0) + n
                            )
            except BaseException:
                _discard(swaps)
                raise
            self._swap(trust_id, swaps)
        return removed

    # -- helpers ---------------------------------------------------------------------------
    def _rel(self, path: Path) -> str:
        return str(Path(path).relative_to(self.root))

    def _batch_dir(self, batch_id: str) -> Path:
        return self.root / "_batches" / batch_id

    def _side_file(self, batch_id: str, dataset: str, urn: int, year: int) -> Path:
        return (
            self._batch_dir(batch_id)
            / "replaced"
            / dataset
            / f"school={urn}"
            / f"year={year}.parquet"
        )

    def _save_manifest(self, info: BatchInfo) -> None:
        path = self._batch_dir(info.batch_id) / "manifest.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        store_io.atomic_write_bytes(path, json.dumps(asdict(info), indent=1).encode())

    @staticmethod
    def _read(path: Path, spec: Dataset) -> pa.Table:
        # ParquetFile, not read_table: no hive-partition guessing from the path.
        return pq.ParquetFile(path).read().cast(spec.schema)


def _parquet_files(folder: str, prefix: str = "") -> dict[str, Path]:
    """*.parquet files under `folder` (subfolders too), by path relative to it, sorted.
    One scandir per folder: os.walk costs several times more over 17,000 school folders."""
    found: dict[str, Path] = {}
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found.update(_parquet_files(entry.path, f"{prefix}{entry.name}/"))
        elif entry.name.endswith(".parquet"):
            found[prefix + entry.name] = Path(entry.path)
    return dict(sorted(found.items()))


def _read_columns(path: Path, columns: list[str] | None) -> pa.Table | None:
    """The named columns of a file (those it has, when `columns` is None: every column), or
    None if it is not a readable Parquet file or lacks a required column."""
    try:
        file = pq.ParquetFile(path)
        if columns is None:
            return file.read()
        if not set(columns) <= set(file.schema_arrow.names):
            return None
        return file.read(columns=columns)
    except (pa.ArrowException, OSError):
        return None


def _row_count(path: Path) -> int:
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowException, OSError):
        return 0


def _write_shard_job(root: str, name: str, trust_id, year: int, shard: int, sources, force: bool):
    return AnalyticsStore(root)._write_shard(name, trust_id, year, shard, {}, sources, force=force)


def _conform(spec: Dataset, table: pa.Table, urn: int, year: int, batch_id: str) -> pa.Table:
    n = table.num_rows
    if n and "school_urn" in table.column_names:
        urns = pc.unique(table["school_urn"]).to_pylist()
        if urns != [urn]:
            raise ValueError(f"table for school {urn} holds rows of schools {urns}")
    columns = {}
    for f in spec.schema:
        if f.name == "school_urn":
            columns[f.name] = pa.array(np.full(n, urn, dtype=np.int32))
        elif f.name == "academic_year":
            columns[f.name] = pa.array(np.full(n, year, dtype=np.int16))
        elif f.name == "batch_id":
            columns[f.name] = pa.repeat(pa.scalar(batch_id, pa.string()), n)
        else:
            columns[f.name] = table[f.name].cast(f.type)
    return pa.Table.from_arrays([columns[f.name] for f in spec.schema], schema=spec.schema)


def _key_in(table: pa.Table, other: pa.Table, keys: tuple[str, ...]) -> pa.Array:
    """Boolean mask: does each row of `table` have its natural key in `other`?

    Each key column is dictionary-encoded over both tables together and the codes packed
    into one int64, so the test is one numpy isin: about 10x faster than a pyarrow join on
    (string, date, string) keys for a million rows.
    """
    n = table.num_rows
    packed = np.zeros(n + other.num_rows, dtype=np.int64)
    radix = 1
    for key in keys:
        both = pa.chunked_array(
            table[key].chunks + other[key].chunks, type=table.schema.field(key).type
        )
        encoded = pc.dictionary_encode(both.combine_chunks())
        width = len(encoded.dictionary) + 1
        if radix * width >= 2**62:
            joined = table.append_column("_row", pa.array(np.arange(n))).join(
                other.select(list(keys)), list(keys), join_type="left semi"
            )
            mask = np.zeros(n, dtype=bool)
            mask[joined["_row"].to_numpy()] = True
            return pa.array(mask)
        codes = np.asarray(encoded.indices.fill_null(width - 1)).astype(np.int64)
        packed += codes * radix
        radix *= width
    return pa.array(np.isin(packed[:n], packed[n:]))


def _new_batch_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
