"""Wonde source, against recorded responses replayed by a local HTTP server (wonde_server.py):
the real client, real HTTP, real pagination; nothing patched. A failing source changes nothing."""

import socket

import pytest
from django.core import mail

from trustwide.data.models import ImportBatch, ImportStatus, Pupil
from trustwide.data.services import analytics_store
from trustwide.feeds import services
from trustwide.feeds.models import RunStatus
from trustwide.feeds.runs import source_run

from .wonde_server import SCHOOL_ID, TOKEN


@pytest.fixture
def source(year_2025, wonde):
    world = year_2025
    return services.source_create(
        actor=world.user("trust_data_manager"),
        trust=world.trust_a,
        school=world.school_a1,
        kind="wonde",
        wonde_school_id=SCHOOL_ID,
        token=TOKEN,
    )


def run(source, capture):
    with capture(execute=True):
        return source_run(source=source, trigger="test")


def nothing_changed(world):
    assert not ImportBatch.objects.exists()
    assert not Pupil.objects.exists()
    assert analytics_store().list_batches(trust_id=world.trust_a.pk) == []


def test_every_page_is_fetched_and_imported(
    source, wonde, world, django_capture_on_commit_callbacks
):
    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.SUCCEEDED, result.errors
    # 3 students over 2 pages; 12 marks of 2025/26 over 2 pages (one mark of 2023/24 left out);
    # 3 assessment results.
    assert result.rows == {"characteristics": 3, "attendance_marks": 12, "assessments": 3}
    assert wonde.hits == {"students": 2, "attendance/session": 2, "assessment/results": 1}
    assert {r["authorization"] for r in wonde.requests} == {f"Bearer {TOKEN}"}
    first = wonde.requests[0]
    assert first["query"] == {
        "include": ["education_details,extended_details"],
        "per_page": ["200"],
    }
    assert any(r["query"] == {"page": ["2"]} for r in wonde.requests)
    batches = ImportBatch.objects.filter(pk__in=result.import_batches)
    assert sorted(b.dataset for b in batches) == [
        "assessments",
        "attendance_marks",
        "characteristics",
    ]
    assert {b.status for b in batches} == {ImportStatus.STORED}
    pupils = {p.upn: p for p in Pupil.objects.all()}
    assert set(pupils) == {"A123456789012", "B123456789012", "C123456789012"}
    assert (
        pupils["C123456789012"].forename == "Siân"
        and pupils["C123456789012"].school == world.school_a1
    )
    assert len(result.items) == 5 and all(item.startswith(wonde.base) for item in result.items)
    assert mail.outbox == []


def test_a_refused_token_fails_the_run_and_changes_nothing(
    source, wonde, world, django_capture_on_commit_callbacks
):
    wonde.token = "another-token"

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED
    (error,) = result.errors
    assert "HTTP 401" in error and f"schools/{SCHOOL_ID}/students" in error and TOKEN not in error
    nothing_changed(world)
    (message,) = mail.outbox
    assert "HTTP 401" in message.body and TOKEN not in message.body


def test_a_server_error_fails_the_run(source, wonde, world, django_capture_on_commit_callbacks):
    wonde.status = 500

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED and "HTTP 500" in result.errors[0]
    nothing_changed(world)


def test_garbage_instead_of_json_fails_the_run(
    source, wonde, world, django_capture_on_commit_callbacks
):
    wonde.garbage = True

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED and "not JSON" in result.errors[0]
    nothing_changed(world)


def test_an_unreachable_host_fails_the_run(
    source, settings, world, django_capture_on_commit_callbacks
):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TRUSTWIDE_WONDE_API_URL = f"http://127.0.0.1:{port}/v1.0/"

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED and "could not connect" in result.errors[0]
    nothing_changed(world)


def test_a_failure_on_a_later_page_changes_nothing(
    source, wonde, world, django_capture_on_commit_callbacks
):
    wonde.edits["attendance-2.json"] = lambda body: {"meta": body["meta"]}  # no 'data'

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED and "no 'data' list" in result.errors[0]
    assert wonde.hits["students"] == 2  # the students were fetched, and still nothing stored
    nothing_changed(world)


def test_invalid_records_are_named_and_nothing_is_imported(
    source, wonde, world, django_capture_on_commit_callbacks
):
    def bad_mark(body):
        body["data"][1]["attendance_code"]["data"]["code"] = "H"  # retired in 2024
        return body

    def no_upn(body):
        body["data"][0]["education_details"]["data"]["upn"] = None
        return body

    wonde.edits["attendance-1.json"] = bad_mark
    wonde.edits["students-2.json"] = no_upn

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED
    text = "\n".join(result.errors)
    assert (
        f"schools/{SCHOOL_ID}/attendance/session record S000002, field attendance_code.code: 'H'"
        in text
    )
    assert "students record A1000000003: education_details.upn is empty" in text
    nothing_changed(world)


def test_a_next_page_on_another_host_is_not_followed(
    source, wonde, world, django_capture_on_commit_callbacks
):
    def elsewhere(body):
        body["meta"]["pagination"]["next"] = "http://attacker.invalid/steal?page=2"
        return body

    wonde.edits["students-1.json"] = elsewhere

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED and "points away from" in result.errors[0]
    assert wonde.hits["students"] == 1
    nothing_changed(world)


def test_a_store_failure_on_a_later_dataset_rolls_back_the_earlier_ones(
    source, wonde, world, monkeypatch, django_capture_on_commit_callbacks
):
    from trustwide.feeds import runs

    real = runs.import_batch_run

    def full_disk_on_results(*, batch, **kwargs):
        if batch.dataset == "assessments":
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED, errors=["The disk is full."]
            )
            batch.refresh_from_db()
            return batch
        return real(batch=batch, **kwargs)

    monkeypatch.setattr(runs, "import_batch_run", full_disk_on_results)

    result = run(source, django_capture_on_commit_callbacks)

    assert result.status == RunStatus.FAILED and result.rows == {}
    assert "assessments: The disk is full." in result.errors
    statuses = dict(ImportBatch.objects.values_list("dataset", "status"))
    assert statuses == {
        "characteristics": ImportStatus.ROLLED_BACK,
        "attendance_marks": ImportStatus.ROLLED_BACK,
        "assessments": ImportStatus.FAILED,
    }
    assert {b.status for b in analytics_store().list_batches(trust_id=world.trust_a.pk)} <= {
        "rolled_back"
    }
