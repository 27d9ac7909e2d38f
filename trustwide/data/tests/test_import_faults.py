"""Imports under faults: an ImportBatch is never left "running", the store never keeps rows
of a failed import, and the sweep (trustwide reconcile_imports) finishes what a kill left."""

from __future__ import annotations

import datetime
import errno
import io

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.common.schedule import jobs, run_due
from trustwide.data import reconcile, services, store_io
from trustwide.data.models import ImportBatch, ImportStatus
from trustwide.data.services import analytics_store, import_batch_create, import_batch_run
from trustwide.data.tests.test_django_imports import YEAR, characteristics_csv, marks_csv


@pytest.fixture
def years(world, settings, tmp_path):
    from tests.world import make_year

    settings.TRUSTWIDE_DATA_DIR = (
        tmp_path / "data"
    )  # the sweep looks at every batch: a store of its own
    make_year(world.trust_a, YEAR, current=False)
    return world


def run(world, tmp_path, content=None, dataset="characteristics", name="roll.csv"):
    path = tmp_path / name
    path.write_bytes(content if content is not None else characteristics_csv(world.school_a1.urn))
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=world.school_a1,
        dataset=dataset,
        academic_year=YEAR,
        file_name=name,
    )
    return batch, path


def store_rows(world, dataset="characteristics"):
    store = analytics_store()
    with store.reading(world.trust_a.pk):
        return sum(pq.read_metadata(p).num_rows for p in store.paths(dataset, world.trust_a.pk))


def _raise(exc):
    def fail(*args, **kwargs):
        raise exc

    return fail


def _fault_at(point, exc, index=0):
    seen = []

    def hook(name, **detail):
        if name == point:
            seen.append(name)
            if len(seen) - 1 == index:
                raise exc(detail) if callable(exc) else exc

    return hook


FAILURES = [
    pytest.param(
        lambda mp: mp.setattr(services, "validate_file", _raise(ValueError("boom"))),
        ValueError,
        "unexpected error (ValueError)",
        id="validator-crashes",
    ),
    pytest.param(
        lambda mp: mp.setattr(store_io, "_fault", _fault_at("write", RuntimeError("io"), 3)),
        RuntimeError,
        "unexpected error (RuntimeError)",
        id="store-write-fails",
    ),
    pytest.param(
        lambda mp: mp.setattr(
            store_io,
            "_fault",
            _fault_at(
                "write",
                lambda d: OSError(errno.ENOSPC, "No space left on device", str(d["path"])),
                3,
            ),
        ),
        None,
        "The disk holding the analytics store is full",
        id="disk-full",
    ),
    pytest.param(
        lambda mp: mp.setattr(
            store_io, "_fault", _fault_at("replaced", RuntimeError("mid-swap"), 0)
        ),
        RuntimeError,
        "unexpected error (RuntimeError)",
        id="fails-mid-swap",
    ),
    pytest.param(
        lambda mp: mp.setattr(services, "_upsert_pupils", _raise(OperationalError("db gone"))),
        OperationalError,
        "could not be recorded; nothing was stored",
        id="db-error-recording",
    ),
    pytest.param(
        lambda mp: mp.setattr(services, "record_event", _raise(RuntimeError("audit"))),
        RuntimeError,
        "could not be recorded; nothing was stored",
        id="audit-write-fails",
    ),
]


@pytest.mark.parametrize(("inject", "raised", "message"), FAILURES)
def test_import_batch_is_never_left_running(years, tmp_path, monkeypatch, inject, raised, message):
    world = years
    batch, path = run(world, tmp_path)
    inject(monkeypatch)
    if raised is None:
        result = import_batch_run(batch=batch, source=path)
        assert result.status == ImportStatus.FAILED
    else:
        with pytest.raises(raised):
            import_batch_run(batch=batch, source=path)
    monkeypatch.undo()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.finished_at is not None
    assert (
        len(batch.errors) == 1 and message in batch.errors[0] and "Traceback" not in batch.errors[0]
    )
    assert store_rows(world) == 0  # nothing of it in the store
    infos = analytics_store().list_batches(trust_id=world.trust_a.pk)
    assert all(i.status in ("failed", "rolled_back") for i in infos)
    assert not AuditEvent.objects.filter(object_type="data.importbatch", action="import").exists()
    # The next import of the same file works.
    again, _ = run(world, tmp_path)
    assert import_batch_run(batch=again, source=path).status == ImportStatus.STORED
    assert store_rows(world) == 2


def test_the_failure_is_recorded_through_database_errors(years, tmp_path, monkeypatch):
    world = years
    batch, path = run(world, tmp_path)
    monkeypatch.setattr(services, "validate_file", _raise(ValueError("boom")))
    monkeypatch.setattr(services, "DB_RETRY_DELAYS", (0, 0, 0, 0, 0))
    real_set, tries = services._set, []

    def flaky(b, **fields):
        if fields.get("status") == ImportStatus.FAILED:
            tries.append(1)
            if len(tries) <= 2:
                raise OperationalError("server closed the connection unexpectedly")
        return real_set(b, **fields)

    monkeypatch.setattr(services, "_set", flaky)
    with pytest.raises(ValueError):
        import_batch_run(batch=batch, source=path)
    batch.refresh_from_db()
    assert len(tries) == 3 and batch.status == ImportStatus.FAILED


def _killed_after_swap(world, tmp_path, monkeypatch, name="roll.csv"):
    """An import whose worker died after the store swap, before the database commit."""
    batch, path = run(world, tmp_path, name=name)

    class Killed(BaseException):
        pass

    monkeypatch.setattr(services, "_upsert_pupils", _raise(Killed()))
    monkeypatch.setattr(services, "_fail", lambda *a, **k: None)  # a dead process records nothing
    with pytest.raises(Killed):
        import_batch_run(batch=batch, source=path)
    monkeypatch.undo()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING and batch.store_batch_id  # recorded before the swap
    assert analytics_store().get_batch(batch.store_batch_id).status == "active"
    return batch


@pytest.mark.parametrize("gone", ["worker-process-dead", "running-too-long"])
def test_sweep_fails_an_interrupted_import_and_takes_its_rows_out(
    years, tmp_path, monkeypatch, gone
):
    world = years
    batch = _killed_after_swap(world, tmp_path, monkeypatch)
    assert store_rows(world) == 2
    assert (
        reconcile.import_batches_reconcile() == []
    )  # its worker (this process) is alive, and recent
    if gone == "worker-process-dead":
        ImportBatch.objects.filter(pk=batch.pk).update(
            worker=batch.worker.rsplit(":", 1)[0] + ":999999999"
        )
        done = reconcile.import_batches_reconcile()
    else:
        done = reconcile.import_batches_reconcile(
            now=timezone.now() + datetime.timedelta(minutes=31)
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "interrupted" in batch.errors[0]
    assert any(f"import {batch.pk}" in line for line in done)
    assert store_rows(world) == 0
    assert analytics_store().get_batch(batch.store_batch_id).status == "rolled_back"
    event = AuditEvent.objects.get(
        object_type="data.importbatch", object_id=str(batch.pk), action="reconcile"
    )
    assert event.before["status"] == "running" and event.after["status"] == "failed"
    assert event.actor_label == reconcile.ACTOR


def test_sweep_links_a_stored_import_without_its_store_id_so_the_page_rolls_it_back(
    years, tmp_path, login, django_capture_on_commit_callbacks
):
    world = years
    batch, path = run(world, tmp_path)
    import_batch_run(batch=batch, source=path)
    store_id = batch.store_batch_id
    ImportBatch.objects.filter(pk=batch.pk).update(store_batch_id="")  # as older versions left it
    client = login(world.user("school_data_manager"))
    url = reverse("data:import-rollback", kwargs={"pk": batch.pk})
    client.post(url)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.STORED  # refused with a message, not a crash
    assert reconcile.import_batches_reconcile() == [
        f"import {batch.pk}: linked to store batch {store_id}"
    ]
    assert AuditEvent.objects.filter(object_id=str(batch.pk), action="reconcile").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK and store_rows(world) == 0


def test_sweep_rolls_back_store_batches_no_import_owns(years, tmp_path):
    world = years
    batch, path = run(world, tmp_path)
    import_batch_run(batch=batch, source=path)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED
    )  # e.g. a kill mid-failure
    orphan = analytics_store().write_batch(
        dataset="attendance_marks",
        trust_id=world.trust_a.pk,
        academic_year=YEAR,
        tables=_marks_tables(world),
        batch_id="orphan",
        meta={"import_batch": 987654},
    )
    done = reconcile.import_batches_reconcile()
    assert sorted(done) == sorted(
        [
            f"store batch {batch.store_batch_id}: rolled back (import {batch.pk} is failed)",
            f"store batch {orphan.batch_id}: rolled back (no import row)",
        ]
    )
    assert store_rows(world) == 0 and store_rows(world, "attendance_marks") == 0


def _marks_tables(world):
    from trustwide.data.validation import validate_file

    result = validate_file(
        marks_csv(world.school_a1.urn),
        dataset="attendance_marks",
        file_name="m.csv",
        academic_year=YEAR,
        allowed_school_urns={world.school_a1.urn},
        trust_key="k",
        today=datetime.date(2026, 8, 31),
    )
    assert result.ok, result.errors
    return result.tables


def test_sweep_marks_a_stored_import_whose_store_batch_was_rolled_back(years, tmp_path):
    world = years
    batch, path = run(world, tmp_path)
    import_batch_run(batch=batch, source=path)
    analytics_store().rollback(batch.store_batch_id)  # the page's rollback killed before its commit
    assert reconcile.import_batches_reconcile() == [
        f"import {batch.pk}: its store batch was rolled back; marked rolled back"
    ]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK
    assert AuditEvent.objects.filter(object_id=str(batch.pk), action="reconcile").count() == 1


def test_the_sweep_runs_hourly_and_from_the_command(years, tmp_path, monkeypatch):
    world = years
    batch = _killed_after_swap(world, tmp_path, monkeypatch)
    assert "reconcile-imports" in [job.name for job in jobs()]
    later = timezone.now() + datetime.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    started = run_due(later)
    assert ("reconcile-imports", timezone.localtime(later).strftime("%Y-%m-%dT%H")) in started
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED  # the task ran (immediate backend in tests)
    out = io.StringIO()
    call_command("reconcile_imports", stdout=out)
    assert "Import sweep: 0 change(s)." in out.getvalue()
