"""Folder source: files dropped by the MIS are imported through the upload path, all or
nothing per file; refused files go to failed/ with the reasons, and nothing of them is stored."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from trustwide.audit.models import AuditEvent
from trustwide.data.models import ImportBatch, ImportStatus, Pupil
from trustwide.data.services import analytics_store
from trustwide.feeds import services
from trustwide.feeds.models import FeedRun, FeedSource, RunStatus
from trustwide.feeds.runs import SETTLE_SECONDS, source_run

from .conftest import settle


def characteristics(urn: int) -> str:
    return (
        "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL\n"
        f"{urn},A123456789012,Jones,Siân,03/05/2016,4,F,Y,Y,N,N\n"
        f"{urn},B123456789012,Khan,Omar,14/11/2015,5,M,N,N,K,Y\n"
    )


def marks(urn: int, code: str = "/") -> str:
    return (
        "URN,UPN,Date,Session,Code\n"
        f"{urn},A123456789012,08/09/2025,AM,/\n"
        f"{urn},A123456789012,08/09/2025,PM,{code}\n"
    )


@pytest.fixture
def source(year_2025, feed_root):
    world = year_2025
    (feed_root / "oak").mkdir()
    return services.source_create(
        actor=world.user("trust_data_manager"),
        trust=world.trust_a,
        school=world.school_a1,
        kind="folder",
        folder="oak",
    )


def drop(feed_root, name: str, text: str):
    path = feed_root / "oak" / name
    path.write_text(text, encoding="utf-8")
    return settle(path)


def test_dropped_files_are_imported_and_moved_to_processed(
    source, feed_root, world, django_capture_on_commit_callbacks
):
    drop(feed_root, "characteristics.csv", characteristics(world.school_a1.urn))
    drop(feed_root, "attendance_marks_2025-26.csv", marks(world.school_a1.urn))

    with django_capture_on_commit_callbacks(execute=True):
        run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.rows == {"characteristics": 2, "attendance_marks": 2}
    batches = ImportBatch.objects.filter(pk__in=run.import_batches)
    assert {b.status for b in batches} == {ImportStatus.STORED}
    assert {b.uploaded_by_label for b in batches} == {f"MIS feed: {source}"}
    assert {b.academic_year for b in batches} == {2025}
    assert set(Pupil.objects.values_list("upn", flat=True)) == {"A123456789012", "B123456789012"}
    assert [p.name for p in (feed_root / "oak").iterdir() if p.is_file()] == []
    processed = [p.name for p in (feed_root / "oak" / "processed").iterdir()]
    # Each name is "<YYYYmmdd-HHMMSS>-<file>"; two files moved either side of a second
    # boundary carry different stamps, so compare the file names, not the stamped order.
    assert sorted(n.split("-", 2)[2] for n in processed) == [
        "attendance_marks_2025-26.csv",
        "characteristics.csv",
    ]
    event = AuditEvent.objects.get(action="feed_run", object_id=str(run.pk))
    assert event.after["rows"] == {"characteristics": 2, "attendance_marks": 2}
    assert event.school_id == world.school_a1.pk
    assert mail.outbox == []  # a good run sends nothing


def test_a_bad_file_is_refused_whole_and_moved_to_failed_with_the_reason(
    source, feed_root, world, django_capture_on_commit_callbacks
):
    drop(feed_root, "attendance_marks.csv", marks(world.school_a1.urn, code="H"))

    with django_capture_on_commit_callbacks(execute=True):
        run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.FAILED
    assert any("row 3, column 'Code': 'H'" in e for e in run.errors), run.errors
    assert analytics_store().list_batches(trust_id=world.trust_a.pk) == []
    assert not ImportBatch.objects.filter(status=ImportStatus.STORED).exists()
    failed = feed_root / "oak" / "failed"
    names = sorted(p.name for p in failed.iterdir())
    assert len(names) == 2 and names[0].endswith("attendance_marks.csv")
    note = (failed / names[1]).read_text(encoding="utf-8")
    assert "row 3, column 'Code'" in note
    # The school's data manager hears of it, with the reason and the run's address.
    (message,) = mail.outbox
    assert message.to == [world.user("school_data_manager").email]
    assert "failed" in message.subject and "'H'" in message.body
    assert f"/feed-runs/{run.pk}/" in message.body


def test_one_bad_file_does_not_stop_the_good_one(source, feed_root, world):
    drop(feed_root, "characteristics.csv", characteristics(world.school_a1.urn))
    drop(feed_root, "roll.csv", characteristics(world.school_a1.urn))

    run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.PARTLY_FAILED
    assert run.rows == {"characteristics": 2}
    assert any("roll.csv: The name does not say which data it holds" in e for e in run.errors)


def test_a_file_of_another_school_is_refused(source, feed_root, world):
    drop(feed_root, "characteristics.csv", characteristics(world.school_a2.urn))

    run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.FAILED
    assert not Pupil.objects.exists()
    assert any(str(world.school_a2.urn) in e for e in run.errors), run.errors


def test_a_file_still_being_written_waits_for_the_next_run(source, feed_root, world):
    (feed_root / "oak" / "characteristics.csv").write_text(characteristics(world.school_a1.urn))
    assert SETTLE_SECONDS >= 30

    run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.NOTHING_NEW
    assert (feed_root / "oak" / "characteristics.csv").exists()


def test_a_missing_folder_fails_the_run_and_changes_nothing(source, feed_root, world):
    (feed_root / "oak").rmdir()

    run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.FAILED and "does not exist" in run.errors[0]
    assert FeedRun.objects.count() == 1 and not ImportBatch.objects.exists()


@pytest.mark.parametrize("folder", ["../etc", "/etc", "oak/../../x", "a b"])
def test_a_folder_outside_the_feed_folder_is_refused(year_2025, feed_root, folder):
    world = year_2025
    with pytest.raises(ValidationError) as caught:
        services.source_create(
            actor=world.user("trust_data_manager"),
            trust=world.trust_a,
            school=world.school_a1,
            kind="folder",
            folder=folder,
        )
    assert "folder" in caught.value.message_dict
    assert not FeedSource.objects.exists()


def test_a_link_out_of_the_feed_folder_is_not_followed(source, feed_root, tmp_path, world):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "characteristics.csv").write_text(characteristics(world.school_a1.urn))
    settle(outside / "characteristics.csv")
    (feed_root / "oak").rmdir()
    (feed_root / "oak").symlink_to(outside)

    run = source_run(source=source, trigger="test")

    assert run.status == RunStatus.FAILED and "outside the feed folder" in run.errors[0]
    assert (outside / "characteristics.csv").exists() and not Pupil.objects.exists()
