"""Running a feed source: fetch what arrived, import it through trustwide.data's upload path
(services.import_batch_create + import_batch_run: the same validation and all-or-nothing store
commit as the upload page), and record the run.

- Folder source: each file is one import, as if uploaded on the import page: stored whole and
  moved to processed/, or refused whole and moved to failed/ beside a `.error.txt` naming
  file, row and column. A file still being written (changed in the last SETTLE_SECONDS) waits
  for the next run.
- Wonde source: every list is fetched first; any HTTP, network or JSON problem fails the run
  before anything is checked. The rows are then validated (validate_file, per dataset) and
  only if every dataset is valid is each imported; if storing one fails, those already stored
  by this run are rolled back, so a run changes everything it fetched or nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event
from trustwide.data import ctf
from trustwide.data.models import CTF, ColumnMapping, ImportBatch, ImportStatus
from trustwide.data.parsing import RawFile
from trustwide.data.schemas import IMPORT_DATASETS
from trustwide.data.services import (
    MAX_ERRORS_KEPT,
    import_batch_create,
    import_batch_rollback,
    import_batch_run,
    trust_key,
)
from trustwide.data.validation import validate_file
from trustwide.trusts.utils import academic_start_year, current_year

from . import notify, wonde
from .crypto import TokenUnreadable, unseal
from .models import FeedRun, FeedSource, RunStatus, SourceKind

log = logging.getLogger("trustwide.feeds")

SETTLE_SECONDS = 60
# A run still "running" after this long was killed; a new run may start.
RUN_HOURS_AT_MOST = 6
PROCESSED, FAILED = "processed", "failed"
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_/](\d\d)(?!\d)")


def feed_root() -> Path:
    return Path(settings.TRUSTWIDE_FEED_ROOT).resolve()


def folder_of(source: FeedSource) -> Path:
    """The source's folder, which must lie inside TRUSTWIDE_FEED_ROOT (links resolved)."""
    root = feed_root()
    path = (root / source.folder).resolve()
    if path != root and root not in path.parents:
        raise ValueError(f"'{source.folder}' is outside the feed folder {root}.")
    return path


def _academic_year(source: FeedSource) -> int:
    year = current_year(source.trust)
    return year.start_year if year else academic_start_year(timezone.localdate())


class _Run:
    def __init__(self, source: FeedSource, trigger: str):
        self.source = source
        self.label = f"MIS feed: {source}"[:200]
        self.run = FeedRun.objects.create(
            source=source, started_at=timezone.now(), trigger=trigger[:200]
        )
        # Marked at the start, so the next hour's scheduler does not start it again meanwhile.
        FeedSource.objects.filter(pk=source.pk).update(last_run_at=self.run.started_at)
        self.rows: dict[str, int] = {}
        self.errors: list[str] = []
        self.error_count = 0
        self.items: list[str] = []
        self.batches: list[int] = []

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)

    def stored(self, batch, dataset: str) -> None:
        self.batches.append(batch.pk)
        self.rows[dataset] = self.rows.get(dataset, 0) + batch.rows

    def finish(self, status: str) -> FeedRun:
        run = self.run
        run.status, run.finished_at = status, timezone.now()
        run.rows, run.errors, run.error_count = self.rows, self.errors, self.error_count
        run.items, run.import_batches = self.items[:500], self.batches
        with transaction.atomic():
            run.save()
            FeedSource.objects.filter(pk=self.source.pk).update(last_run_at=run.started_at)
            record_event(
                actor=None,
                actor_label=self.label,
                action=AuditAction.FEED_RUN,
                instance=run,
                before=None,
                after={
                    "status": status,
                    "rows": self.rows,
                    "errors": self.error_count,
                    "import_batches": self.batches,
                },
            )
            if status in (RunStatus.FAILED, RunStatus.PARTLY_FAILED):
                log.warning(
                    "feed source %s (%s): run %s %s, %s error(s), first: %s",
                    self.source.pk,
                    self.source,
                    run.pk,
                    status,
                    self.error_count,
                    self.errors[0] if self.errors else "",
                )
                transaction.on_commit(lambda: notify.run_failed(run))
        return run


def source_run(*, source: FeedSource, trigger: str = "scheduler") -> FeedRun:
    """Run one source now and return its recorded run (never raises for a source's fault)."""
    source = FeedSource.objects.select_related("trust", "school").get(pk=source.pk)
    under_way = FeedRun.objects.filter(
        source=source,
        status=RunStatus.RUNNING,
        started_at__gte=timezone.now() - datetime.timedelta(hours=RUN_HOURS_AT_MOST),
    ).first()
    if under_way is not None:  # run now while the scheduler's run goes on: one at a time
        return under_way
    job = _Run(source, trigger)
    try:
        if source.kind == SourceKind.FOLDER:
            status = _run_folder(job)
        else:
            status = _run_wonde(job)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, then the scheduler goes on
        log.exception("feed source %s: run failed", source.pk)
        job.error(
            f"The run stopped on an unexpected error ({type(exc).__name__}); nothing more was imported."
        )
        status = RunStatus.FAILED
    return job.finish(status)


# -- folder ------------------------------------------------------------------------------------


def classify(name: str, default_year: int) -> tuple[str, int] | str:
    """(dataset, academic year) a dropped file is for, from its name; else why not."""
    lower = name.lower()
    found = _YEAR_IN_NAME.search(lower)
    year = int(found.group(1)) if found else default_year
    if found and (int(found.group(1)) + 1) % 100 != int(found.group(2)):
        return f"'{found.group(0)}' in the name is not an academic year (expected e.g. 2025-26)."
    if lower.endswith(".xml"):
        return CTF, year
    if not lower.endswith((".csv", ".xlsx")):
        return "Not a file the feed imports (expected .csv, .xlsx or a CTF .xml)."
    for dataset in sorted(IMPORT_DATASETS, key=len, reverse=True):
        if lower.startswith(dataset):
            return dataset, year
    return (
        "The name does not say which data it holds: start it with one of "
        f"{', '.join(IMPORT_DATASETS)} (e.g. attendance_marks_2025-26.csv)."
    )


def _move(path: Path, folder: Path, note: str | None = None) -> None:
    folder.mkdir(exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stamp}-{path.name}"
    shutil.move(str(path), target)
    if note is not None:
        target.with_name(target.name + ".error.txt").write_text(note + "\n", encoding="utf-8")


def _run_folder(job: _Run) -> str:
    source = job.source
    try:
        folder = folder_of(source)
    except ValueError as exc:
        job.error(str(exc))
        return RunStatus.FAILED
    if not folder.is_dir():
        job.error(f"The folder {folder} does not exist or is not a folder.")
        return RunStatus.FAILED
    settled = time.time() - SETTLE_SECONDS
    # The roll first: marks and results are checked against the school's roll for the year,
    # so a characteristics file (or a CTF, which brings its pupils) dropped with them goes in
    # before them.
    files = sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.stat().st_mtime <= settled
        ),
        key=lambda p: (
            not p.name.lower().startswith("characteristics") and p.suffix.lower() != ".xml",
            p.name,
        ),
    )
    if not files:
        return RunStatus.NOTHING_NEW
    year = _academic_year(source)
    refused = 0
    for path in files:
        job.items.append(path.name)
        problems = _import_file(job, path, year)
        if problems:
            refused += 1
            for message in problems:
                job.error(message)
            _move(path, folder / FAILED, "\n".join(problems))
        else:
            _move(path, folder / PROCESSED)
    if refused == len(files):
        return RunStatus.FAILED
    return RunStatus.PARTLY_FAILED if refused else RunStatus.SUCCEEDED


def _import_file(job: _Run, path: Path, default_year: int) -> list[str]:
    """Import one dropped file as the upload page would; its problems (empty when stored)."""
    source, name = job.source, path.name
    kind = classify(name, default_year)
    if isinstance(kind, str):
        return [f"{name}: {kind}"]
    dataset, year = kind
    data = path.read_bytes()
    if dataset == CTF:
        try:
            header = ctf.peek_header(data)
        except ctf.CtfRefused as exc:
            return [f"{name}: {exc}"]
        if header.urn != source.school.urn:
            return [
                f"{name}: Header/SourceSchool/URN {header.urn} is not {source.school} "
                f"(URN {source.school.urn}), the school of this feed."
            ]
        year = header.academic_year
    batch = _import(job, dataset=dataset, year=year, name=name, data=data)
    if batch.status != ImportStatus.STORED:
        more = f" ... and {batch.more_errors} more" if batch.more_errors else ""
        return [*(batch.errors or ["refused"]), *([more.strip()] if more else [])]
    job.stored(batch, dataset)
    return []


def _import(job: _Run, *, dataset: str, year: int, name: str, data: bytes) -> ImportBatch:
    """One file through the upload page's path: recorded (queued), then validated and stored
    whole or refused whole (import_batch_run); the file is kept as the batch's upload, so
    erasure and subject access find it like any uploaded file."""
    with transaction.atomic():
        batch = import_batch_create(
            actor=None,
            actor_label=job.label,
            trust=job.source.trust,
            school=job.source.school,
            dataset=dataset,
            academic_year=year,
            file_name=name,
            upload=ContentFile(data, name=name),
        )
    return import_batch_run(batch=batch)


# -- Wonde -------------------------------------------------------------------------------------


def _run_wonde(job: _Run) -> str:
    source = job.source
    try:
        token = unseal(source.token_encrypted)
    except TokenUnreadable as exc:
        job.error(str(exc))
        return RunStatus.FAILED
    client = wonde.WondeClient(base_url=settings.TRUSTWIDE_WONDE_API_URL, token=token)
    try:
        fetched = {
            what: client.list_all(source.wonde_school_id, what)
            for what in (wonde.STUDENTS, wonde.ATTENDANCE, wonde.RESULTS)
        }
    except wonde.FetchFailed as exc:
        job.items = client.urls
        job.error(str(exc))
        return RunStatus.FAILED
    job.items = client.urls
    year = _academic_year(source)
    mapped = wonde.map_records(
        urn=source.school.urn,
        academic_year=year,
        students=fetched[wonde.STUDENTS],
        sessions=fetched[wonde.ATTENDANCE],
        results=fetched[wonde.RESULTS],
    )
    for problem in mapped.problems:
        job.error(problem)
    files = _checked_files(job, mapped, year)
    if job.error_count:
        return RunStatus.FAILED
    if not files:
        return RunStatus.NOTHING_NEW
    for dataset, (name, data) in files.items():
        batch = _import(job, dataset=dataset, year=year, name=name, data=data)
        if batch.status != ImportStatus.STORED:
            for message in batch.errors or ["refused"]:
                job.error(f"{dataset}: {message}")
            _undo(job)
            return RunStatus.FAILED
        job.stored(batch, dataset)
    return RunStatus.SUCCEEDED


def _checked_files(job: _Run, mapped: wonde.Mapped, year: int) -> dict[str, tuple[str, bytes]]:
    """Validate each dataset's rows (nothing written); the CSV to import for each valid one.
    Errors name the Wonde record and field."""
    source = job.source
    key = trust_key(source.trust)
    saved = dict(
        ColumnMapping.objects.filter(school=source.school).values_list("dataset", "mapping")
    )
    files = {}
    for dataset, rows in mapped.datasets.items():
        if not rows.rows:
            continue
        columns = wonde.COLUMNS[dataset]
        raw = RawFile(
            headers=list(columns.values()),
            table=_table(rows.rows, len(columns)),
            row_numbers=np.arange(len(rows.rows), dtype=np.int64),
        )
        checked = validate_file(
            raw,
            dataset=dataset,
            file_name=f"Wonde {dataset}",
            academic_year=year,
            allowed_school_urns={source.school.urn},
            trust_key=key,
            mapping=columns,
            max_errors=MAX_ERRORS_KEPT,
        )
        for e in checked.errors:
            where = rows.labels[e.row] if e.row is not None and e.row < len(rows.labels) else ""
            what = f"'{e.value}' {e.problem}" if e.value is not None else e.problem
            job.error(
                f"{where or 'Wonde ' + dataset}, field {e.column or '?'}: {what}"
                + (f" ({e.expected})" if e.expected else "")
            )
        job.error_count += max(checked.error_count - len(checked.errors), 0)
        if checked.ok:
            # The school's saved header names are applied by the import: write the file in them.
            headers = saved.get(dataset) or {}
            files[dataset] = (
                f"wonde-{source.wonde_school_id}-{dataset}.csv",
                _csv([headers.get(h, h) for h in columns], rows.rows),
            )
    return files


def _table(rows: list[list[str]], width: int) -> pa.Table:
    return pa.table({f"c{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(width)})


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _undo(job: _Run) -> None:
    """Take out of the store what this run stored before a later dataset failed."""
    for batch in ImportBatch.objects.filter(pk__in=job.batches).order_by("-pk"):
        try:
            import_batch_rollback(actor=None, actor_label=job.label, batch=batch)
        except Exception:  # noqa: BLE001 - reported on the run; the batch stays visible
            log.exception("feed run %s: could not roll back batch %s", job.run.pk, batch.pk)
            job.error(f"Import {batch.pk} ({batch.file_name}) could not be rolled back.")
    job.rows, job.batches = {}, []


def due_sources(now=None) -> list[FeedSource]:
    now = now or timezone.now()
    due = []
    for source in FeedSource.objects.filter(is_enabled=True).select_related("trust", "school"):
        if source.last_run_at is None or (now - source.last_run_at).total_seconds() >= (
            source.every_hours * 3600 - 60
        ):
            due.append(source)
    return due
