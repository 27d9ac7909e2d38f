"""Bounds and malformed files through the paths users take: the upload form, the import page
and `trustwide import` (issue 14 item 6, issue 15 item 4)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from trustwide.data.models import ImportBatch, ImportStatus
from trustwide.data.services import MAX_ERRORS_KEPT
from trustwide.data.tests.test_django_imports import YEAR, upload


@pytest.fixture
def years(world):
    from tests.world import make_year

    make_year(world.trust_a, YEAR, current=False)
    return world


def marks(urn: int, rows: int, code: str = "H", encoding: str = "utf-8") -> bytes:
    lines = ["URN,UPN,Date,Session,Code"] + [
        f"{urn},A{100000000000 + i:012d},08/09/2025,AM,{code}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode(encoding)


def post(client, world, content: bytes, name: str):
    url = reverse("data:import-upload", kwargs={"slug": world.trust_a.slug})
    return client.post(
        url,
        {
            "dataset": "attendance_marks",
            "academic_year": YEAR,
            "school": world.school_a1.pk,
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_binary_file_with_a_csv_name_is_refused_by_the_form(years, login):
    client = login(years.user("school_data_manager"))
    response = post(client, years, bytes(range(256)) * 8, "marks.csv")
    assert response.status_code == 400
    assert (
        "&#x27;marks.csv&#x27;: the file is not a CSV or Excel file (it holds binary data)."
        in response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_overpacked_xlsx_is_refused_by_the_form_before_anything_is_unpacked(years, login):
    workbook = openpyxl.Workbook()
    workbook.active.append(["URN", "UPN", "Date", "Session", "Code"])
    plain = io.BytesIO()
    workbook.save(plain)
    source, bomb = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dest:
        for part in source.infolist():
            body = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b"</sheetData>", b"<row><c><v>1</v></c></row>" * 200_000 + b"</sheetData>"
                )
            dest.writestr(part.filename, body)
    client = login(years.user("school_data_manager"))
    response = post(client, years, bomb.getvalue(), "marks.xlsx")
    assert response.status_code == 400
    assert (
        "times its size (at most 100 times is accepted from Excel): send it as CSV"
        in response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def roll(urn: int, rows: int) -> bytes:
    lines = [
        "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL,Prior attainment,"
        "Date joined,Date left"
    ] + [
        f"{urn},A{100000000000 + i:012d},Pupil,Number {i},03/05/2016,4,F,N,N,N,N,middle,01/09/2020,"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_utf16_upload_is_stored(years, login, django_capture_on_commit_callbacks):
    client = login(years.user("school_data_manager"))
    upload(
        client,
        years,
        roll(years.school_a1.urn, 3),
        dataset="characteristics",
        name="roll.csv",
        school=years.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    upload(
        client,
        years,
        marks(years.school_a1.urn, 3, code="/", encoding="utf-16"),
        dataset="attendance_marks",
        name="marks.csv",
        school=years.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    assert ImportBatch.objects.get(dataset="characteristics").status == ImportStatus.STORED
    batch = ImportBatch.objects.get(dataset="attendance_marks")
    assert batch.status == ImportStatus.STORED, batch.errors
    assert (batch.rows, batch.encoding) == (3, "utf-16")


def test_page_lists_the_first_errors_and_says_how_many_more(
    years, login, django_capture_on_commit_callbacks
):
    client = login(years.user("school_data_manager"))
    upload(
        client,
        years,
        marks(years.school_a1.urn, 1_700),
        dataset="attendance_marks",
        name="marks.csv",
        school=years.school_a1,
        capture=django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert (batch.error_count, len(batch.errors)) == (1_700, MAX_ERRORS_KEPT)
    assert batch.errors[0].startswith(
        "marks.csv row 2, column 'Code': 'H' is not a DfE attendance code"
    )
    page = client.get(reverse("data:import-detail", kwargs={"pk": batch.pk})).content.decode()
    assert "1,700 problems found: nothing was stored" in page
    assert "... and 1,200 more errors." in page


def test_import_command_refuses_malformed_files_without_a_traceback(years, tmp_path):
    no_result = tmp_path / "ta.csv"
    no_result.write_text(
        f"URN,UPN,Term,Subject\n{years.school_a1.urn},A123456789012,Autumn,maths\n"
    )
    many = tmp_path / "marks.csv"
    many.write_bytes(marks(years.school_a1.urn, 80))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import",
            str(no_result),
            trust=years.trust_a.slug,
            dataset="assessments",
            year=YEAR,
            stderr=err,
        )
    assert "ta.csv row 1: missing required column 'Judgement' or 'Score'" in err.getvalue()
    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import",
            str(many),
            trust=years.trust_a.slug,
            dataset="attendance_marks",
            year=YEAR,
            stderr=err,
        )
    assert "  ... and 30 more errors" in err.getvalue()
    assert set(ImportBatch.objects.values_list("status", flat=True)) == {ImportStatus.FAILED}
