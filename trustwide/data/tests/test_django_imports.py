"""The import path users rely on: web upload and command, all or nothing, scope, rollback."""

import io

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.data.models import ImportBatch, ImportStatus, Pupil
from trustwide.data.services import analytics_store

YEAR = 2025  # 2025/26


def characteristics_csv(urn: int, *, extra_rows: str = "") -> bytes:
    return (
        "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL,Prior attainment,Date joined,Date left\n"
        f"{urn},A123456789012,Jones,Siân,03/05/2016,4,F,Y,Y,N,N,middle,01/09/2020,\n"
        f"{urn},B123456789012,Khan,Omar,14/11/2015,5,M,N,N,K,Y,high,01/09/2019,\n" + extra_rows
    ).encode("utf-8")


def marks_csv(urn: int, code: str = "/") -> bytes:
    return (
        "URN;UPN;Date;Session;Code\n"
        f"{urn};A123456789012;08/09/2025;AM;/\n"
        f"{urn};A123456789012;08/09/2025;PM;{code}\n"
    ).encode("cp1252")


def upload(client, world, content: bytes, *, dataset: str, name: str, school=None, capture=None):
    url = reverse("data:import-upload", kwargs={"slug": world.trust_a.slug})
    data = {
        "dataset": dataset,
        "academic_year": YEAR,
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
    }
    if school is not None:
        data["school"] = school.pk
    with capture(execute=True):
        return client.post(url, data)


@pytest.fixture
def years(world):
    from tests.world import make_year

    make_year(world.trust_a, YEAR, current=False)
    return world


def test_valid_upload_is_stored_with_identities_kept_out_of_parquet(
    years, login, django_capture_on_commit_callbacks
):
    world = years
    client = login(world.user("school_data_manager"))
    response = upload(
        client,
        world,
        characteristics_csv(world.school_a1.urn),
        dataset="characteristics",
        name="roll.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "data:import-detail", kwargs={"pk": batch.pk}
    )
    assert (
        batch.status == ImportStatus.STORED
        and batch.rows == 2
        and batch.school_urns == [world.school_a1.urn]
    )
    pupils = {p.upn: p for p in Pupil.objects.all()}
    assert (
        pupils["A123456789012"].forename == "Siân"
        and pupils["A123456789012"].school == world.school_a1
    )
    [path] = analytics_store().paths("characteristics", world.trust_a.pk)
    table = pq.read_table(path)
    assert "upn" not in table.column_names and "surname" not in table.column_names
    assert set(table.column("pupil_key").to_pylist()) == {p.pupil_key for p in pupils.values()}
    assert AuditEvent.objects.filter(object_type="data.importbatch", action="import").count() == 1
    page = client.get(reverse("data:import-detail", kwargs={"pk": batch.pk}))
    assert "2 rows stored" in page.content.decode()


def test_bad_file_reports_every_error_and_stores_nothing(
    years, login, django_capture_on_commit_callbacks
):
    world = years
    client = login(world.user("school_data_manager"))
    content = (
        "URN;UPN;Date;Session;Code\n"
        f"{world.school_a1.urn};A123456789012;08/09/2025;AM;H\n"
        f"{world.school_a1.urn};A123456789012;08/09/2024;PM;/\n"
        f"{world.school_b1.urn};B123456789012;09/09/2025;AM;/\n"
    ).encode()
    upload(
        client,
        world,
        content,
        dataset="attendance_marks",
        name="marks.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and batch.error_count == 3
    text = "\n".join(batch.errors)
    assert "marks.csv row 2, column 'Code': 'H'" in text
    assert "marks.csv row 3, column 'Date'" in text
    assert "marks.csv row 4, column 'URN'" in text
    assert analytics_store().paths("attendance_marks", world.trust_a.pk) == []
    assert not Pupil.objects.exists()
    page = client.get(reverse("data:import-detail", kwargs={"pk": batch.pk})).content.decode()
    assert "nothing was stored" in page and "row 2" in page


def test_school_data_manager_cannot_upload_for_another_school(years, login):
    world = years
    client = login(world.user("school_data_manager"))
    url = reverse("data:import-upload", kwargs={"slug": world.trust_a.slug})
    response = client.post(
        url,
        {
            "dataset": "characteristics",
            "academic_year": YEAR,
            "school": world.school_a2.pk,
            "file": SimpleUploadedFile("roll.csv", characteristics_csv(world.school_a2.urn)),
        },
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_disallowed_file_type_is_refused(years, login):
    world = years
    client = login(world.user("school_data_manager"))
    url = reverse("data:import-upload", kwargs={"slug": world.trust_a.slug})
    response = client.post(
        url,
        {
            "dataset": "characteristics",
            "academic_year": YEAR,
            "school": world.school_a1.pk,
            "file": SimpleUploadedFile("roll.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 400 and "is not a CSV or Excel file" in response.content.decode()


def test_marks_for_a_pupil_not_on_the_roll_are_refused_naming_file_row_and_pupil(
    years, login, django_capture_on_commit_callbacks
):
    """Issue 18: a pupil who is not on the school's roll for the year does not appear from
    nowhere in its figures; the whole file is refused and nothing is stored."""
    world = years
    client = login(world.user("school_data_manager"))
    upload(
        client,
        world,
        characteristics_csv(world.school_a1.urn),
        dataset="characteristics",
        name="roll.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    stranger = (
        "URN,UPN,Date,Session,Code\n"
        f"{world.school_a1.urn},A123456789012,08/09/2025,AM,/\n"
        f"{world.school_a1.urn},C123456789012,08/09/2025,AM,O\n"
    ).encode()
    upload(
        client,
        world,
        stranger,
        dataset="attendance_marks",
        name="marks.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get(dataset="attendance_marks")
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        f"marks.csv row 3, column 'UPN': 'C123456789012' is not on the roll of school "
        f"{world.school_a1.urn} for 2025/26 (a pupil in the school's characteristics (census) "
        "import for that year)"
    ]
    assert analytics_store().paths("attendance_marks", world.trust_a.pk) == []
    # The same pupils' marks are taken once the pupil is on the roll.
    upload(
        client,
        world,
        stranger.replace(b"C123456789012", b"B123456789012"),
        dataset="attendance_marks",
        name="marks-fixed.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    assert ImportBatch.objects.get(file_name="marks-fixed.csv").status == ImportStatus.STORED


def test_rollback_removes_the_batch_as_a_whole(years, login, django_capture_on_commit_callbacks):
    world = years
    client = login(world.user("school_data_manager"))
    upload(
        client,
        world,
        characteristics_csv(world.school_a1.urn),
        dataset="characteristics",
        name="roll.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    upload(
        client,
        world,
        marks_csv(world.school_a1.urn),
        dataset="attendance_marks",
        name="marks1.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    upload(
        client,
        world,
        marks_csv(world.school_a1.urn, code="I"),
        dataset="attendance_marks",
        name="marks2.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    first, second = ImportBatch.objects.filter(dataset="attendance_marks").order_by("pk")
    assert (first.status, second.status) == (ImportStatus.STORED, ImportStatus.STORED), (
        first.errors,
        second.errors,
    )
    assert second.replaced_rows == 2
    store = analytics_store()
    [path] = store.paths("attendance_marks", world.trust_a.pk)
    assert sorted(pq.read_table(path).column("code").to_pylist()) == ["/", "I"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("data:import-rollback", kwargs={"pk": second.pk}))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == ImportStatus.ROLLED_BACK
    assert sorted(pq.read_table(path).column("code").to_pylist()) == ["/", "/"]
    assert AuditEvent.objects.filter(object_type="data.importbatch", action="rollback").count() == 1


def test_import_command_all_or_nothing(years, tmp_path):
    world = years
    good = tmp_path / "roll.csv"
    good.write_bytes(characteristics_csv(world.school_a1.urn))
    out = io.StringIO()
    call_command(
        "import",
        str(good),
        trust=world.trust_a.slug,
        dataset="characteristics",
        year=YEAR,
        stdout=out,
    )
    assert "stored 2 rows" in out.getvalue()
    bad = tmp_path / "roll_bad.csv"
    bad.write_bytes(
        characteristics_csv(
            world.school_a1.urn,
            extra_rows=f"{world.school_a1.urn},A123456789012,Jones,Sian,03/05/2016,4,F,Y,Y,N,N,,01/09/2020,\n",
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            str(bad),
            trust=world.trust_a.slug,
            dataset="characteristics",
            year=YEAR,
            stderr=err,
        )
    assert "duplicate" in err.getvalue().lower()
    assert ImportBatch.objects.filter(status=ImportStatus.STORED).count() == 1


def test_import_pages_are_scoped(years, login, django_capture_on_commit_callbacks):
    world = years
    client = login(world.user("school_data_manager"))
    upload(
        client,
        world,
        characteristics_csv(world.school_a1.urn),
        dataset="characteristics",
        name="roll.csv",
        school=world.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    other = ImportBatch.objects.create(
        trust=world.trust_a,
        school=world.school_a2,
        dataset="characteristics",
        academic_year=YEAR,
        file_name="secret-a2.csv",
        uploaded_by_label="x",
    )
    listing = client.get(
        reverse("data:import-list", kwargs={"slug": world.trust_a.slug})
    ).content.decode()
    assert "roll.csv" in listing and "secret-a2.csv" not in listing
    assert client.get(reverse("data:import-detail", kwargs={"pk": other.pk})).status_code == 404
