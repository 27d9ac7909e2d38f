"""Pupil-data imports: validate a whole file, then store all of it or nothing.

Order of writes, so that nothing is half-written:
1. validate the whole file (every error collected; nothing written anywhere on any error);
2. record the store batch id on the ImportBatch, then write the Parquet batch (visible in one
   step: store_journal.py);
3. in one database transaction: upsert pupil identities, mark the ImportBatch stored, audit.
Any failure after the import starts marks the batch failed (retrying the database write) and
takes its rows out of the store if they got there; a worker killed mid-way leaves a "running"
batch that the reconcile sweep (reconcile.py) finishes.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from trustwide.access import Perm, school_ids
from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, record_event, snapshot
from trustwide.common.services import require
from trustwide.trusts.models import School

from . import ctf, rules
from .models import CTF, ColumnMapping, ImportBatch, ImportStatus, Pupil, TrustDataKey
from .schemas import DATASETS, IMPORT_DATASETS
from .store import AnalyticsStore, BatchNotFound, StoreError
from .validation import validate_file

MAX_ERRORS_KEPT = 500
log = logging.getLogger(__name__)


def analytics_store() -> AnalyticsStore:
    return AnalyticsStore(settings.TRUSTWIDE_DATA_DIR)


def trust_key(trust) -> str:
    key, _ = TrustDataKey.objects.get_or_create(trust=trust)
    return key.key


def importable_school_urns(*, actor, trust, school: School | None) -> set[int]:
    """URNs a file may contain: the chosen school, or (trust data manager) any school they cover."""
    if actor is None:
        schools = School.objects.filter(trust=trust)
    else:
        schools = School.objects.filter(trust=trust, pk__in=school_ids(actor, Perm.DATA_IMPORT))
    if school is not None:
        schools = schools.filter(pk=school.pk)
    return set(schools.values_list("urn", flat=True))


def import_batch_create(
    *,
    actor,
    trust,
    school: School | None,
    dataset: str,
    academic_year: int,
    file_name: str,
    upload=None,
    actor_label: str | None = None,
) -> ImportBatch:
    """Record an upload (queued). The file is checked and stored by import_batch_run."""
    if dataset not in IMPORT_DATASETS and dataset != CTF:
        raise ValidationError(
            {
                "dataset": f"Unknown dataset '{dataset}'. Expected one of: {', '.join(IMPORT_DATASETS)}."
            }
        )
    if dataset == CTF and school is None:
        raise ValidationError("A Common Transfer File belongs to the school in its header.")
    if actor is not None:
        if school is None:
            require(rules.may_import_for_trust(actor, trust), rules.TRUST_IMPORT_REFUSED)
        else:
            require(rules.may_import_for_school(actor, school.pk), rules.SCHOOL_IMPORT_REFUSED)
    if school is not None and school.trust_id != trust.pk:
        raise PermissionDenied("That school belongs to another trust.")
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=ImportBatch,
        trust=trust,
        school=school,
        dataset=dataset,
        academic_year=academic_year,
        file_name=Path(file_name).name[:255],
        upload=upload,
        uploaded_by=actor if actor is not None else None,
        uploaded_by_label=actor_label or (str(actor) if actor else "system"),
    )


def _set(batch: ImportBatch, **fields) -> None:
    for name, value in fields.items():
        setattr(batch, name, value)
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


# Seconds to wait before each further try of a failed database write (a restart takes ~10 s).
DB_RETRY_DELAYS = (0.5, 1, 2, 4, 8)


def _set_retrying(batch: ImportBatch, **fields) -> bool:
    """_set, retried with backoff when the database fails (restarting, connection broken:
    a fresh connection is opened for the next try). False if every try failed; the reconcile
    sweep then finds the batch later."""
    for delay in (*DB_RETRY_DELAYS, None):
        try:
            _set(batch, **fields)
            return True
        except DatabaseError:
            log.warning(
                "import batch %s: could not record %s", batch.pk, sorted(fields), exc_info=True
            )
            if delay is None:
                return False
            if not connection.in_atomic_block:
                connection.close()  # Django opens a new connection on the next query
            time.sleep(delay)
    return False


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


STORE_FAILED = "The file was valid but could not be stored: {reason} Nothing was stored."
RECORD_FAILED = "The file was valid but could not be recorded; nothing was stored. Try again."
DB_FAILED = "The database could not be reached during the import; nothing was stored. Try again."
CRASHED = (
    "The import stopped on an unexpected error ({error}); nothing was stored. Try again, "
    "and tell your administrator if it happens again."
)


def import_batch_run(
    *,
    batch: ImportBatch,
    source=None,
    actor=None,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Validate and store one batch. Returns the batch with its final status.

    Never leaves the batch "running": any failure after it starts marks it failed with a plain
    message (and takes its rows out of the store if they got there); a store failure (a full
    disk) is returned as a failed batch, anything unexpected is raised after that."""
    _set_retrying(
        batch,
        status=ImportStatus.RUNNING,
        progress=5,
        started_at=timezone.now(),
        worker=worker_id(),
    )
    try:
        return _run(batch=batch, source=source, actor=actor, today=today)
    except StoreError as exc:
        _fail(batch, STORE_FAILED.format(reason=str(exc)))
        return batch
    except _NotRecorded as exc:
        _fail(batch, RECORD_FAILED)
        raise exc.__cause__ from None
    except DatabaseError:
        log.exception("import batch %s: database error", batch.pk)
        _fail(batch, DB_FAILED)
        raise
    except BaseException as exc:
        log.exception("import batch %s failed", batch.pk)
        _fail(batch, CRASHED.format(error=type(exc).__name__))
        raise


class _NotRecorded(Exception):
    pass


def _fail(batch: ImportBatch, message: str) -> None:
    """Mark the batch failed; first take its rows out of the store if they are there."""
    if batch.store_batch_id:
        try:
            info = analytics_store().get_batch(batch.store_batch_id)
            if info.status in ("writing", "active"):
                analytics_store().rollback(batch.store_batch_id)
        except BatchNotFound:
            pass  # the store never heard of it
        except Exception:  # noqa: BLE001 - the sweep rolls an orphan back later
            log.exception(
                "import batch %s: could not roll back store batch %s",
                batch.pk,
                batch.store_batch_id,
            )
    _set_retrying(
        batch,
        status=ImportStatus.FAILED,
        progress=100,
        error_count=max(batch.error_count, 1),
        errors=[message],
        finished_at=timezone.now(),
    )


def _run(*, batch: ImportBatch, source, actor, today) -> ImportBatch:
    trust = batch.trust
    allowed = importable_school_urns(
        actor=actor or batch.uploaded_by, trust=trust, school=batch.school
    )
    mapping = {}
    if batch.school_id:
        found = ColumnMapping.objects.filter(
            school_id=batch.school_id, dataset=batch.dataset
        ).first()
        mapping = found.mapping if found else {}
    if source is None:
        source = batch.upload.path
    if batch.dataset == CTF:
        return _run_ctf(batch, source=source, allowed=allowed, actor=actor, today=today)
    result = validate_file(
        source,
        dataset=batch.dataset,
        file_name=batch.file_name,
        academic_year=batch.academic_year,
        allowed_school_urns=allowed,
        trust_key=trust_key(trust),
        mapping=mapping,
        today=today,
        max_errors=MAX_ERRORS_KEPT,
        roll=_roll(trust, batch.academic_year),
    )
    _set(batch, progress=60, encoding=result.encoding[:20], delimiter=result.delimiter[:8])
    if not result.ok:
        _set(
            batch,
            status=ImportStatus.FAILED,
            progress=100,
            rows=result.row_count,
            error_count=result.error_count,
            errors=[e.message for e in result.errors[:MAX_ERRORS_KEPT]],
            finished_at=timezone.now(),
        )
        return batch
    return _store_and_record(
        batch,
        actor=actor,
        identities=result.identities,
        write=lambda store, batch_id: store.write_batch(
            dataset=batch.dataset,
            trust_id=trust.pk,
            academic_year=batch.academic_year,
            tables=result.tables,
            batch_id=batch_id,
            meta={"import_batch": batch.pk, "file_name": batch.file_name},
        ),
    )


def _roll(trust, academic_year: int):
    """School URN -> the pupil keys on its roll for the year (the store's roster, which the
    characteristics imports build). A CTF brings each pupil's basic details with their marks
    and results, so it puts its own pupils on the roll and is not checked against this."""
    store = analytics_store()

    def on_roll(urn: int) -> frozenset[str]:
        try:
            table = store.read("pupils", trust.pk, urn, academic_year)
        except FileNotFoundError:  # nothing imported for this school and year yet
            return frozenset()
        return frozenset(table.column("pupil_key").to_pylist())

    return on_roll


def _run_ctf(batch: ImportBatch, *, source, allowed: set[int], actor, today) -> ImportBatch:
    """A CTF: every dataset it feeds is validated, then stored as ONE store batch, or nothing."""
    result = ctf.validate_ctf(
        source,
        file_name=batch.file_name,
        allowed_school_urns=allowed,
        trust_key=trust_key(batch.trust),
        academic_year=batch.academic_year,
        today=today,
        max_errors=MAX_ERRORS_KEPT,
    )
    _set(batch, progress=60, encoding="utf-8")
    if not result.ok:
        _set(
            batch,
            status=ImportStatus.FAILED,
            progress=100,
            rows=sum(result.rows.values()),
            error_count=result.error_count,
            errors=result.errors[:MAX_ERRORS_KEPT],
            finished_at=timezone.now(),
        )
        return batch
    return _store_and_record(
        batch,
        actor=actor,
        identities=result.identities,
        write=lambda store, batch_id: store.write_datasets(
            label=CTF,
            trust_id=batch.trust_id,
            academic_year=batch.academic_year,
            datasets=result.tables,
            batch_id=batch_id,
            meta={
                "import_batch": batch.pk,
                "file_name": batch.file_name,
                "ctf_version": result.header.version_text,
                "pupils": result.pupils,
            },
        ),
    )


def _store_and_record(batch: ImportBatch, *, actor, identities, write) -> ImportBatch:
    """Write the Parquet batch, then identities + status + audit in one transaction; if that
    transaction fails, the Parquet batch is rolled back before the error is raised."""
    store = analytics_store()
    # Recorded BEFORE the swap: whatever happens next, the row names the store batch, so a
    # failure (or the reconcile sweep after a kill) can take it out of the store.
    _set(batch, store_batch_id=f"b{batch.pk}-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}")
    info = write(store, batch.store_batch_id)
    _set(batch, progress=85)
    try:
        with transaction.atomic():
            _upsert_pupils(trust=batch.trust, identities=identities, batch=batch)
            before = snapshot(batch)
            _set(
                batch,
                status=ImportStatus.STORED,
                progress=100,
                rows=info.rows,
                replaced_rows=info.replaced_rows,
                school_urns=sorted(info.school_urns),
                finished_at=timezone.now(),
            )
            record_event(
                actor=actor,
                actor_label=batch.uploaded_by_label,
                action=AuditAction.IMPORT,
                instance=batch,
                before=before,
                after=snapshot(batch),
            )
    except Exception as exc:
        raise _NotRecorded() from exc
    _notify_on_commit(batch)
    return batch


def ctf_batch_create(
    *, actor, trust, file_name: str, source, upload=None, actor_label: str | None = None
) -> ImportBatch:
    """Record a CTF upload for the school and academic year its header names.

    Refuses (ValidationError / PermissionDenied, nothing recorded) a file that is not a usable
    CTF or comes from a school outside the trust or outside the actor's import scope."""
    try:
        header = ctf.peek_header(source)
    except ctf.CtfRefused as exc:
        raise ValidationError(f"{Path(file_name).name}: {exc}") from None
    school = School.objects.filter(trust=trust, urn=header.urn).first() if header.urn else None
    if school is None:
        raise PermissionDenied(
            f"{Path(file_name).name}: Header/SourceSchool/URN {header.urn or '(missing)'} "
            f"({header.school_name or 'unnamed school'}) is not a school of {trust}."
        )
    if actor is not None and school.pk not in school_ids(actor, Perm.DATA_IMPORT):
        raise PermissionDenied(
            f"{Path(file_name).name}: you may not import data for {school} (URN {school.urn})."
        )
    return import_batch_create(
        actor=actor,
        trust=trust,
        school=school,
        dataset=CTF,
        academic_year=header.academic_year,
        file_name=file_name,
        upload=upload,
        actor_label=actor_label,
    )


def _notify_on_commit(batch: ImportBatch) -> None:
    from .signals import batch_signals_are_suspended

    if not batch_signals_are_suspended():
        transaction.on_commit(lambda: _after_import(batch))


def _after_import(batch: ImportBatch) -> None:
    """Hook for recomputation after an import (KPIs subscribe here)."""
    from .signals import batch_stored

    batch_stored.send(sender=ImportBatch, batch=batch)


def _upsert_pupils(*, trust, identities, batch: ImportBatch) -> None:
    """New pupils are created; known pupils are updated only where the file says something new
    (marks and results files carry UPNs but no names, so they rarely change anything)."""
    if not identities:
        return
    schools = dict(School.objects.filter(trust=trust).values_list("urn", "pk"))
    existing = {
        p.pupil_key: p
        for p in Pupil.objects.filter(
            trust=trust, pupil_key__in=[i.pupil_key for i in identities]
        ).only("pk", "pupil_key", "school_id", "upn", "surname", "forename", "date_of_birth")
    }
    fields = ["school_id", "upn", "surname", "forename", "date_of_birth"]
    new, changed = [], []
    for ident in identities:
        pupil = existing.get(ident.pupil_key)
        values = {
            "school_id": schools[ident.school_urn],
            "upn": ident.upn,
            "surname": ident.surname or (pupil.surname if pupil else ""),
            "forename": ident.forename or (pupil.forename if pupil else ""),
            "date_of_birth": ident.dob or (pupil.date_of_birth if pupil else None),
        }
        if pupil is None:
            new.append(
                Pupil(trust=trust, pupil_key=ident.pupil_key, last_import_id=batch.pk, **values)
            )
        elif any(getattr(pupil, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(pupil, name, value)
            pupil.last_import_id = batch.pk
            changed.append(pupil)
    Pupil.objects.bulk_create(new, batch_size=2000)
    Pupil.objects.bulk_update(changed, [*fields, "last_import_id"], batch_size=2000)


@transaction.atomic
def import_batch_rollback(
    *, actor, batch: ImportBatch, actor_label: str | None = None
) -> ImportBatch:
    """Take a stored batch out of the analytics store as a whole (restoring what it replaced)."""
    if actor is not None:
        require(rules.may_roll_back(actor, batch), rules.ROLLBACK_REFUSED)
    if batch.status != ImportStatus.STORED:
        raise ValidationError("Only a stored import can be rolled back.")
    if not batch.store_batch_id:
        raise ValidationError(
            "This import is not linked to its rows in the analytics store yet; "
            "the import sweep (trustwide reconcile_imports) links it."
        )
    before = snapshot(batch)
    try:
        analytics_store().rollback(batch.store_batch_id)
    except StoreError as exc:
        raise ValidationError(str(exc)) from exc
    _set(
        batch,
        status=ImportStatus.ROLLED_BACK,
        rolled_back_at=timezone.now(),
        rolled_back_by_label=actor_label or str(actor),
    )
    record_event(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.ROLLBACK,
        instance=batch,
        before=before,
        after=snapshot(batch),
    )
    _notify_on_commit(batch)
    return batch


def column_mapping_save(
    *, actor, school: School, dataset: str, mapping: dict[str, str]
) -> ColumnMapping:
    require(actor is None or rules.may_import_for_school(actor, school.pk), rules.HEADERS_REFUSED)
    known = set(DATASETS[dataset].default_headers)
    unknown = sorted(set(mapping) - known)
    if unknown:
        raise ValidationError(
            f"Not default headers of {dataset}: {', '.join(unknown)}. Expected some of: {', '.join(sorted(known))}."
        )
    cleaned = {k: v.strip() for k, v in mapping.items() if v and v.strip()}
    from trustwide.audit.services import audited_update

    existing = ColumnMapping.objects.filter(school=school, dataset=dataset).first()
    if existing:
        return audited_update(actor=actor, instance=existing, mapping=cleaned)
    return audited_create(
        actor=actor, model=ColumnMapping, school=school, dataset=dataset, mapping=cleaned
    )
