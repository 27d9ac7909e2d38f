"""The import sweep: bring ImportBatch rows and the store's batches back into agreement after
kills and outages. Run at start-up (`trustwide reconcile_imports`, called by `serve`) and
hourly by the scheduler (data/schedule.py).

The app database decides (it holds the pupils' identities an import adds):
- the store first finishes or undoes what killed writers left (AnalyticsStore.recover);
- a batch left "running" by a worker that is gone (its process is dead on this host, or it
  started more than TRUSTWIDE_IMPORT_STALE_MINUTES ago) is marked failed ("interrupted"),
  and its rows are taken out of the store if they got there: its identities were never
  committed, so the data is not linked but rolled back;
- a store batch written by an import whose row is failed, rolled back or gone is rolled back;
- a row stored with no store batch id (older versions, killed before recording it) is linked
  to the active store batch that names it, so the page can roll it back;
- a stored row whose store batch was rolled back (a kill between the two) is marked rolled back.
Each change to a row is audited (action "reconcile").
"""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot

from .models import ImportBatch, ImportStatus
from .services import _notify_on_commit, _set, analytics_store
from .store import StoreError

log = logging.getLogger(__name__)
ACTOR = "import sweep"
INTERRUPTED = (
    "The import was interrupted (its worker stopped) before it finished; nothing of it "
    "is stored. Upload the file again."
)


def _worker_gone(worker: str) -> bool:
    """Is the worker ("host:pid") known to be dead? Only a process on this host can be checked."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _change(batch: ImportBatch, **fields) -> None:
    with transaction.atomic():
        before = snapshot(batch)
        _set(batch, **fields)
        record_event(
            actor=None,
            actor_label=ACTOR,
            action=AuditAction.RECONCILE,
            instance=batch,
            before=before,
            after=snapshot(batch),
        )


def import_batches_reconcile(
    *, now: datetime.datetime | None = None, stale_after: datetime.timedelta | None = None
) -> list[str]:
    """Run the sweep once; returns one line per thing done."""
    now = now or timezone.now()
    stale_after = stale_after or datetime.timedelta(minutes=settings.TRUSTWIDE_IMPORT_STALE_MINUTES)
    store = analytics_store()
    done = [f"store: {line}" for line in store.recover()]
    manifests = {info.batch_id: info for info in store.list_batches()}

    for batch in ImportBatch.objects.filter(status=ImportStatus.RUNNING).select_related("trust"):
        started = batch.started_at or batch.created_at
        if not (_worker_gone(batch.worker) or started < now - stale_after):
            continue
        info = manifests.get(batch.store_batch_id)
        try:
            if info is not None and info.status == "active":
                info = manifests[info.batch_id] = store.rollback(info.batch_id)
        except StoreError as exc:
            done.append(
                f"import {batch.pk}: left running, its store batch could not be rolled back: {exc}"
            )
            continue
        _change(
            batch,
            status=ImportStatus.FAILED,
            progress=100,
            error_count=max(batch.error_count, 1),
            errors=[INTERRUPTED],
            finished_at=now,
        )
        if info is not None and info.status == "rolled_back":
            _notify_on_commit(batch)  # a refresh may have seen its rows meanwhile
        done.append(f"import {batch.pk} ({batch.file_name}): interrupted, marked failed")

    rows = {
        b.pk: b
        for b in ImportBatch.objects.filter(
            pk__in=[
                m.meta.get("import_batch") for m in manifests.values() if m.meta.get("import_batch")
            ]
        )
    }
    for info in manifests.values():
        pk = info.meta.get("import_batch")
        if not pk or info.status != "active":
            continue
        batch = rows.get(pk)
        if batch is not None and batch.status in (ImportStatus.RUNNING, ImportStatus.QUEUED):
            continue  # still being imported
        if batch is not None and batch.status == ImportStatus.STORED and not batch.store_batch_id:
            _change(batch, store_batch_id=info.batch_id)
            done.append(f"import {pk}: linked to store batch {info.batch_id}")
            continue
        if (
            batch is not None
            and batch.status == ImportStatus.STORED
            and batch.store_batch_id == info.batch_id
        ):
            continue
        try:
            store.rollback(info.batch_id)
        except StoreError as exc:
            done.append(f"store batch {info.batch_id}: orphan, could not be rolled back: {exc}")
            continue
        state = "no import row" if batch is None else f"import {pk} is {batch.status}"
        done.append(f"store batch {info.batch_id}: rolled back ({state})")
        if batch is not None:
            _notify_on_commit(batch)  # KPIs were computed with its rows: recompute

    for batch in ImportBatch.objects.filter(status=ImportStatus.STORED).exclude(store_batch_id=""):
        info = manifests.get(batch.store_batch_id)
        if info is not None and info.status == "rolled_back":
            _change(
                batch,
                status=ImportStatus.ROLLED_BACK,
                rolled_back_at=now,
                rolled_back_by_label=ACTOR,
            )
            done.append(f"import {batch.pk}: its store batch was rolled back; marked rolled back")
    for line in done:
        log.warning("reconcile: %s", line)
    return done
