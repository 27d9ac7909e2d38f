"""CTF imports through the services, the command and the upload page: all or nothing, scoped,
audited, and giving the same KPIs as the same data imported as CSV."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.data.models import CTF, ImportBatch, ImportStatus, Pupil
from trustwide.data.services import (
    analytics_store,
    import_batch_rollback,
)

HERE = Path(__file__).parent / "ctf"
YEAR = 2024  # the hand-written files are 2024/25


def ctf_for(school, version: int = 25) -> bytes:
    return (HERE / f"ctf{version}.xml").read_bytes().replace(b"137001", str(school.urn).encode())


@pytest.fixture
def years(world):
    from tests.world import make_year

    make_year(world.trust_a, YEAR, current=False)
    return world


def stored_datasets(world) -> set[str]:
    store = analytics_store()
    return {
        name
        for name in (
            "characteristics",
            "pupils",
            "attendance_marks",
            "attendance_summaries",
            "statutory",
        )
        if store.paths(name, world.trust_a.pk)
    }


def test_command_stores_a_ctf_whole_with_identities_and_audit(years, tmp_path):
    world = years
    path = tmp_path / "a1.xml"
    path.write_bytes(ctf_for(world.school_a1))
    out = io.StringIO()
    call_command("import", str(path), "--format", "ctf", trust=world.trust_a.slug, stdout=out)
    batch = ImportBatch.objects.get()
    assert batch.dataset == CTF and batch.school == world.school_a1 and batch.academic_year == YEAR
    assert batch.status == ImportStatus.STORED and batch.school_urns == [world.school_a1.urn]
    # 4 characteristics + 16 marks + 1 summary + 8 results, in one store batch.
    assert batch.rows == 29 and "stored 29 rows" in out.getvalue()
    assert stored_datasets(world) == {
        "characteristics",
        "pupils",
        "attendance_marks",
        "attendance_summaries",
        "statutory",
    }
    assert sorted(Pupil.objects.values_list("upn", "surname")) == [
        ("A12345678901B", "Kowalska"),
        ("B12345678901C", "Okafor"),
        ("C12345678901D", "Hughes"),
        ("D12345678901E", "Ahmed"),
    ]
    event = AuditEvent.objects.get(action="import", object_id=str(batch.pk))
    assert event.school_id == world.school_a1.pk and event.after["status"] == ImportStatus.STORED

    # Rolling the batch back takes every dataset of the CTF out together.
    import_batch_rollback(actor=None, actor_label="test", batch=batch)
    assert stored_datasets(world) == set()


def test_command_refuses_bad_ctfs_and_changes_nothing(years, tmp_path):
    world = years
    bad_value = tmp_path / "bad.xml"
    bad_value.write_bytes(ctf_for(world.school_a1).replace(b"<Result>105<", b"<Result>150<"))
    old = tmp_path / "old.xml"
    old.write_bytes(ctf_for(world.school_a1).replace(b"<CTFversion>25.0<", b"<CTFversion>21.0<"))
    other = tmp_path / "other-trust.xml"
    other.write_bytes(ctf_for(world.school_b1))
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 file"):
        call_command(
            "import",
            str(bad_value),
            str(old),
            str(other),
            "--format",
            "ctf",
            trust=world.trust_a.slug,
            stderr=err,
        )
    text = err.getvalue()
    assert "bad.xml: refused, 1 problem(s); nothing stored" in text
    assert (
        "pupil A12345678901B, KS2/ENG/TT/RD, element StageAssessments/KeyStage/StageAssessment/Result: '150'"
        in text
    )
    assert (
        "old.xml: refused; nothing stored: old.xml: Header/CTFversion '21.0' is not supported"
        in text
    )
    assert (
        f"other-trust.xml: refused; nothing stored: other-trust.xml: Header/SourceSchool/URN {world.school_b1.urn}"
        in text
    )
    # Only the file that named a school of the trust got a batch, and it failed whole.
    assert list(ImportBatch.objects.values_list("status", flat=True)) == [ImportStatus.FAILED]
    assert stored_datasets(world) == set() and not Pupil.objects.exists()


def upload(client, slug, *files, capture):
    with capture(execute=True):
        return client.post(
            reverse("data:import-ctf", kwargs={"slug": slug}), {"files": list(files)}
        )


def xml_file(name, content):
    return SimpleUploadedFile(name, content, content_type="application/xml")


def test_trust_data_manager_uploads_several_ctfs_at_once(
    years, login, django_capture_on_commit_callbacks
):
    world = years
    client = login(world.user("trust_data_manager"))
    response = upload(
        client,
        world.trust_a.slug,
        xml_file("a1.xml", ctf_for(world.school_a1)),
        xml_file("a2.xml", ctf_for(world.school_a2, version=24)),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "data:import-list", kwargs={"slug": world.trust_a.slug}
    )
    batches = {b.school: b for b in ImportBatch.objects.all()}
    assert set(batches) == {world.school_a1, world.school_a2}
    assert all(b.status == ImportStatus.STORED and b.dataset == CTF for b in batches.values())


def test_upload_refuses_other_schools_duplicates_and_unsafe_files_and_records_nothing(
    years, login, django_capture_on_commit_callbacks
):
    world = years
    client = login(world.user("school_data_manager"))  # scope: school A1 only
    slug = world.trust_a.slug
    response = upload(
        client,
        slug,
        xml_file("a2.xml", ctf_for(world.school_a2)),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert (
        f"a2.xml: Header/SourceSchool/URN {world.school_a2.urn} (Brookside Primary) is not a school you may "
        "import data for." in response.content.decode()
    )
    response = upload(
        client,
        slug,
        xml_file("one.xml", ctf_for(world.school_a1)),
        xml_file("two.xml", ctf_for(world.school_a1)),
        capture=django_capture_on_commit_callbacks,
    )
    assert (
        response.status_code == 400
        and "two.xml: one.xml is also a CTF of URN" in response.content.decode()
    )
    from .test_ctf import BILLION_LAUGHS

    response = upload(
        client,
        slug,
        xml_file("lol.xml", BILLION_LAUGHS),
        capture=django_capture_on_commit_callbacks,
    )
    assert (
        response.status_code == 400
        and "declares a DTD or XML entities" in response.content.decode()
    )
    assert not ImportBatch.objects.exists() and stored_datasets(world) == set()
