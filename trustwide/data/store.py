"""The analytics store: pupil-level Parquet files, one per (dataset, trust, school, year).

Layout (hive style, so DuckDB/Ibis read_parquet can prune by trust, school and year):

    <root>/<dataset>/trust=<trust_id>/school=<urn>/year=<start year>/data.parquet
    <root>/_batches/<batch_id>/manifest.json
    <root>/_batches/<batch_id>/replaced/<dataset>/school=<urn>/year=<y>.parquet

Each partition is ONE file, replaced whole with os.replace after an fsync. A batch's new files
are all written first, then swapped in together while the trust's swap lock is held
exclusively; readers hold it shared (`with store.reading(trust_id): ...`), so a reader sees the
whole of a batch or none of it, on every school the batch touches, even when its reader opens
a file more than once (pyarrow datasets and DuckDB do). Writers of one trust are serialised.
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
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trustwide.data import derived
from trustwide.data.schemas import DATASETS, Dataset

DATA_FILE = "data.parquet"
log = logging.getLogger(__name__)
_BATCH_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


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
    status: str = "writing"  # writing -> active -> rolled_back
    rolled_back_at: str | None = None
    # (dataset, school_urn, rows written, rows replaced) for each partition touched.
    partitions: list[list] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


class AnalyticsStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # -- reading ---------------------------------------------------------------------------
    def partition_dir(self, dataset: str, trust_id, school_urn: int, academic_year: int) -> Path:
        return (self.root / dataset / f"trust={trust_id}" / f"school={int(school_urn)}"
                / f"year={int(academic_year)}")

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
        return self.write_datasets(label=dataset, trust_id=trust_id, academic_year=academic_year,
                                   datasets={dataset: tables}, batch_id=batch_id, meta=meta)

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
            batch_id=batch_id, dataset=label, trust_id=str(trust_id),
            academic_year=int(academic_year),
            school_urns=sorted({int(u) for tables in datasets.values() for u in tables}),
            rows=0, replaced_rows=0, created_at=_now(), meta=dict(meta or {}),
        )
        with self._writing(trust_id):
            # The manifest goes first, so a crash mid-batch leaves a batch that can be rolled back.
            self._save_manifest(info)
            swaps = []
            changed: dict[str, dict[int, tuple[pa.Table, Path | None]]] = {}
            try:
                for dataset, tables in datasets.items():
                    spec = DATASETS[dataset]
                    for urn, table in sorted(tables.items()):
                        parts = [(spec, table)]
                        if dataset == "characteristics":
                            parts.append((DATASETS["pupils"], table.select(DATASETS["pupils"].schema.names)))
                        for part_spec, part_table in parts:
                            swap, written, replaced, merged = self._prepare_partition(
                                part_spec, trust_id, int(urn), int(academic_year), part_table, batch_id)
                            swaps.append(swap)
                            changed.setdefault(part_spec.name, {})[int(urn)] = (merged, swap[0])
                            info.partitions.append([part_spec.name, int(urn), written, replaced])
                            if part_spec is spec:
                                info.rows += written
                                info.replaced_rows += replaced
                for name, schools in changed.items():
                    swaps += self._prepare_derived(name, trust_id, int(academic_year), schools)
            except BaseException:
                _discard(swaps)
                raise
            self._swap(trust_id, swaps)
            info.status = "active"
            self._save_manifest(info)
        return info

    def _prepare_partition(self, spec: Dataset, trust_id, urn: int, year: int,
                           table: pa.Table, batch_id: str):
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
        _atomic_write(side, replaced.select(spec.schema.names).cast(spec.schema)
                      if replaced is not None else spec.schema.empty_table())
        swap = (_write_beside(path, merged), path)
        return swap, new.num_rows, 0 if replaced is None else replaced.num_rows, merged

    # -- locking ---------------------------------------------------------------------------
    def _lock_file(self, trust_id, kind: str) -> Path:
        path = self.root / "_locks" / f"trust={trust_id}.{kind}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @contextmanager
    def reading(self, trust_id):
        """Hold while reading a trust's files: no batch is swapped in meanwhile."""
        with _flock(self._lock_file(trust_id, "swap"), fcntl.LOCK_SH):
            yield

    @contextmanager
    def _writing(self, trust_id):
        """One writer per trust at a time: read-merge-write must not interleave."""
        with _flock(self._lock_file(trust_id, "write"), fcntl.LOCK_EX):
            yield

    def _swap(self, trust_id, swaps: list[tuple[Path | None, Path]]) -> None:
        """Put every prepared file in place at once, as far as lock-holding readers can tell.
        A None source removes the partition's file (a rollback that empties it)."""
        with _flock(self._lock_file(trust_id, "swap"), fcntl.LOCK_EX):
            for tmp, path in swaps:
                if tmp is None:
                    path.unlink(missing_ok=True)
                else:
                    os.replace(tmp, path)
        for directory in {path.parent for _, path in swaps}:
            if directory.exists():
                _fsync_dir(directory)

    # -- derived data (trustwide.data.derived) ----------------------------------------------
    def shard_path(self, name: str, trust_id, shard: int, academic_year: int) -> Path:
        return (self.root / derived.SHARDS_DIR / name / f"trust={trust_id}" / f"shard={int(shard)}"
                / f"year={int(academic_year)}" / DATA_FILE)

    def shard_paths(self, name: str, trust_id, school_urns: Iterable[int], academic_year: int) -> list[str]:
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
                if entry.name.startswith("shard=") and (
                        Path(entry.path) / f"year={int(academic_year)}" / DATA_FILE).exists():
                    present.add(int(entry.name.removeprefix("shard=")))
        return present

    def stale_derived(self, trust_id, academic_year: int, school_urns: Iterable[int] | None = None,
                      names: Iterable[str] = derived.NAMES) -> list[tuple[str, int]]:
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
                        list(files.items()))
            present = self._shards_present(name, trust_id, academic_year)
            for shard in sorted(set(expected) | present):
                if wanted is not None and shard not in wanted:
                    continue
                path = self.shard_path(name, trust_id, shard, academic_year)
                meta = derived.read_metadata(pq.read_schema(path)) if path.exists() else None
                if not derived.current(meta, name) or meta.get("sources") != expected.get(shard, {}):
                    stale.append((name, shard))
        return stale

    def ensure_derived(self, trust_id, academic_year: int | None = None, *, rebuild: bool = False,
                       processes: int = 1, names: Iterable[str] = derived.NAMES) -> list[tuple[int, str, int]]:
        """Rebuild the derived shards that are stale (all of them with rebuild=True), for one
        academic year or every year with data. Returns the (year, name, shard) rebuilt.
        Takes the writer lock and swaps like an import: do not call it while holding
        store.reading() for the same trust. processes > 1 builds shards in parallel (a whole
        national-size store: about 3 billion marks)."""
        names = tuple(names)
        if academic_year is None:
            years = set()
            for name in names:
                for folder in (self.root / derived.SOURCES[name] / f"trust={trust_id}",
                               self.root / derived.SHARDS_DIR / name / f"trust={trust_id}"):
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
                        todo += [(name, k) for k in sorted({derived.shard_of(u) for u in sources}
                                                           | self._shards_present(name, trust_id, year))]
                else:
                    todo = self.stale_derived(trust_id, year, names=names)
                if not todo:
                    continue
                sources = {name: self._sources(derived.SOURCES[name], trust_id, year)
                           for name in {n for n, _k in todo}}
                swaps = []
                try:
                    if processes > 1 and len(todo) > 1:
                        from concurrent.futures import ProcessPoolExecutor

                        with ProcessPoolExecutor(processes) as pool:
                            jobs = [pool.submit(_write_shard_job, str(self.root), name, trust_id, year,
                                                shard, sources[name], rebuild) for name, shard in todo]
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
                            swaps.append(self._write_shard(name, trust_id, year, shard, {}, sources[name],
                                                           force=rebuild))
                except BaseException:
                    _discard(swaps)
                    raise
                self._swap(trust_id, swaps)
                done += [(year, name, shard) for name, shard in todo]
        return done

    def _prepare_derived(self, dataset: str, trust_id, year: int,
                         changed: dict[int, tuple[pa.Table, Path | None]]):
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

    def _write_shard(self, name: str, trust_id, year: int, shard: int, changed: dict,
                     sources: dict[int, dict[str, Path]], *, force: bool = False):
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
                parts.append(current.filter(pc.equal(current["school_urn"], urn)).cast(derived.schema_of(name)))
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
                log.warning("%s of school %s, %s: %d rows in files written around the store "
                            "were left out (see docs/DATA.md, derived shards)", derived.SOURCES[name],
                            urn, year, left_out + unreadable)
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
                    dataset is None or info.dataset == dataset):
                out.append(info)
        return sorted(out, key=lambda b: (b.created_at, b.batch_id))

    def get_batch(self, batch_id: str) -> BatchInfo:
        return _load_manifest(self._batch_dir(batch_id) / "manifest.json")

    def rollback(self, batch_id: str) -> BatchInfo:
        """Remove a batch's rows and restore the rows it replaced (unless a later batch has
        replaced them since, in which case the later batch's rows stay)."""
        info = self.get_batch(batch_id)
        if info.status == "rolled_back":
            return info
        year = info.academic_year
        with self._writing(info.trust_id):
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
                    restore = self._resolve_restore(spec, info.trust_id, urn, year, batch_id, {batch_id})
                    if restore.num_rows and remaining.num_rows:
                        restore = restore.filter(pc.invert(_key_in(restore, remaining, spec.natural_key)))
                    merged = pa.concat_tables([remaining, restore.select(spec.schema.names).cast(spec.schema)])
                    swaps.append((_write_beside(path, merged) if merged.num_rows else None, path))
                    changed.setdefault(name, {})[int(urn)] = (merged, swaps[-1][0])
                for dataset, schools in changed.items():
                    swaps += self._prepare_derived(dataset, info.trust_id, year, schools)
            except BaseException:
                _discard(swaps)
                raise
            self._swap(info.trust_id, swaps)
            info.status = "rolled_back"
            info.rolled_back_at = _now()
            self._save_manifest(info)
        return info

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

    # -- helpers ---------------------------------------------------------------------------
    def _batch_dir(self, batch_id: str) -> Path:
        return self.root / "_batches" / batch_id

    def _side_file(self, batch_id: str, dataset: str, urn: int, year: int) -> Path:
        return self._batch_dir(batch_id) / "replaced" / dataset / f"school={urn}" / f"year={year}.parquet"

    def _save_manifest(self, info: BatchInfo) -> None:
        path = self._batch_dir(info.batch_id) / "manifest.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(path, json.dumps(asdict(info), indent=1).encode())

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
        both = pa.chunked_array(table[key].chunks + other[key].chunks, type=table.schema.field(key).type)
        encoded = pc.dictionary_encode(both.combine_chunks())
        width = len(encoded.dictionary) + 1
        if radix * width >= 2**62:
            joined = table.append_column("_row", pa.array(np.arange(n))).join(
                other.select(list(keys)), list(keys), join_type="left semi")
            mask = np.zeros(n, dtype=bool)
            mask[joined["_row"].to_numpy()] = True
            return pa.array(mask)
        codes = np.asarray(encoded.indices.fill_null(width - 1)).astype(np.int64)
        packed += codes * radix
        radix *= width
    return pa.array(np.isin(packed[:n], packed[n:]))


def _atomic_write(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pq.write_table(table, handle, compression="zstd", row_group_size=1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; without it a crash can bring back the old file.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _flock(path: Path, mode: int):
    with open(path, "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_beside(path: Path, table: pa.Table) -> Path:
    """Write `table` fully (fsynced) to a temporary file beside `path`; return its path."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pq.write_table(table, handle, compression="zstd", row_group_size=1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _discard(swaps) -> None:
    for tmp, _path in swaps:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _load_manifest(path: Path) -> BatchInfo:
    return BatchInfo(**json.loads(path.read_text()))


def _new_batch_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
