"""Malformed and oversized files (issue 15 item 4, issue 14 item 6): each case once crashed the
importer, showed a library's text, or took unbounded time or memory. Every one must end in the
product's own message naming the file (and row and column where there is one)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from trustwide.data import reading
from trustwide.data.tests.conftest import MARK_HEADER, URN, mark_rows, to_csv, upn
from trustwide.data.tests.fuzz_inputs import RAW_MARKERS, xlsx_bytes
from trustwide.data.validation import ValidationError

SUMMARY_HEADER = [
    "URN",
    "UPN",
    "Period start",
    "Period end",
    "Possible",
    "Present",
    "Authorised",
    "Unauthorised",
]


def only_error(result):
    assert not result.ok and result.errors, "expected a refusal"
    for error in result.errors:
        lowered = error.message.lower()
        assert not [m for m in RAW_MARKERS if m in lowered], error.message
    return result.errors[0]


def summary(possible: str) -> bytes:
    return to_csv(
        SUMMARY_HEADER, [[URN, upn(0), "01/09/2023", "20/12/2023", possible, "1", "1", "1"]]
    )


def rewrite_sheet(data: bytes, edit) -> bytes:
    """The same workbook with the first sheet's XML passed through `edit`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for part in source.infolist():
            body = source.read(part.filename)
            dest.writestr(
                part.filename, edit(body) if part.filename == "xl/worksheets/sheet1.xml" else body
            )
    return out.getvalue()


# -- the five crashing inputs ----------------------------------------------------------------
def test_assessments_without_judgement_or_score_names_both_columns(validate):
    data = to_csv(["URN", "UPN", "Term", "Subject"], [[URN, upn(0), "Autumn", "maths"]])
    error = only_error(validate(data, dataset="assessments", file_name="ta.csv"))
    assert error.message.startswith("ta.csv row 1: missing required column 'Judgement' or 'Score'")
    assert "headers found: 'URN', 'UPN', 'Term', 'Subject'" in error.message


def test_assessments_with_score_only_still_import(validate):
    data = to_csv(
        ["URN", "UPN", "Term", "Subject", "Score"], [[URN, upn(0), "Autumn", "maths", "104"]]
    )
    result = validate(data, dataset="assessments", file_name="ta.csv")
    assert result.ok, result.errors
    assert result.tables[URN].column("score").to_pylist() == [104.0]


@pytest.mark.parametrize("value", ["99000²", "٣", "1_000", "9" * 5000])
def test_digits_python_accepts_but_a_count_is_not(validate, value):
    error = only_error(validate(summary(value), dataset="attendance_summaries", file_name="s.csv"))
    assert (error.row, error.column) == (2, "Possible")
    assert error.problem == "is not a whole number"
    assert error.expected == "a whole number of sessions, 0 or more"


@pytest.mark.parametrize(("column", "value"), [("URN", "13700²"), ("Year group", "Y" + "9" * 5000)])
def test_odd_digits_in_urn_and_year_group(validate, column, value):
    header = [
        "URN",
        "UPN",
        "Surname",
        "Forename",
        "DOB",
        "Year group",
        "Sex",
        "Disadvantaged",
        "FSM",
        "SEN",
        "EAL",
    ]
    row = [str(URN), upn(0), "Jones", "Zoë", "12/03/2013", "5", "F", "Y", "Y", "N", "N"]
    row[header.index(column)] = value
    error = only_error(
        validate(to_csv(header, [row]), dataset="characteristics", file_name="p.csv")
    )
    assert (error.row, error.column) == (2, column)


@pytest.mark.parametrize("value", ["9" * 5000, "nan", "inf", "1e2", "١٠٤"])
def test_scores_and_results_must_be_plain_decimals(validate, value):
    ta = to_csv(
        ["URN", "UPN", "Term", "Subject", "Score"], [[URN, upn(0), "Autumn", "maths", value]]
    )
    error = only_error(validate(ta, dataset="assessments", file_name="ta.csv"))
    assert (error.row, error.column, error.problem) == (2, "Score", "is not a number")
    ks2 = to_csv(["URN", "UPN", "Measure", "Result"], [[URN, upn(0), "KS2_READ", value]])
    error = only_error(validate(ks2, dataset="statutory", file_name="ks2.csv"))
    assert (error.row, error.column) == (2, "Result")


def test_xlsx_with_truncated_sheet_xml(validate):
    data = rewrite_sheet(
        xlsx_bytes("attendance_marks", [[str(URN), upn(0), "04/09/2023", "AM", "/"]] * 300),
        lambda xml: xml[: len(xml) // 2],
    )
    error = only_error(validate(data, file_name="marks.xlsx"))
    assert error.message == (
        "marks.xlsx: the file could not be read as Excel .xlsx: the workbook is "
        "damaged or not from Excel (save it again from Excel, or as CSV)"
    )


@pytest.mark.parametrize(
    "edit",
    [
        lambda xml: xml.replace(b'r="A2"', b'r="ZZZZ2"'),  # a cell beyond column XFD
        lambda xml: xml + b"<extra/>",  # lxml: extra content at the end
    ],
)
def test_xlsx_with_bad_sheet_xml(validate, edit):
    data = rewrite_sheet(xlsx_bytes("attendance_marks"), edit)
    error = only_error(validate(data, file_name="marks.xlsx"))
    assert "the workbook is damaged" in error.message


def test_xlsx_needing_a_newer_zip_version_is_damaged_not_a_crash(validate):
    """Found by bench/fuzz_imports.py --seed 2: zipfile raised NotImplementedError."""
    data = bytearray(xlsx_bytes("attendance_marks"))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = (69).to_bytes(2, "little")  # "version needed to extract" 6.9
    error = only_error(validate(bytes(data), file_name="marks.xlsx"))
    assert error.message.startswith(
        "marks.xlsx: the file is damaged: it starts like an .xlsx (ZIP) file"
    )


def test_xlsx_dimension_is_not_trusted(validate):
    """A <dimension> claiming A1:XFD1048576 neither pads rows to 16,384 columns nor drops rows."""
    data = rewrite_sheet(
        xlsx_bytes("attendance_marks"),
        lambda xml: xml.replace(b'<dimension ref="A1:E13"/>', b'<dimension ref="A1:B2"/>'),
    )
    result = validate(data, file_name="marks.xlsx")
    assert result.ok, result.errors
    assert result.row_count == 12


# -- raw library text and mojibake -----------------------------------------------------------
def test_header_only_file_is_refused(validate):
    for data in (b"URN,UPN,Date,Session,Code", b"URN,UPN,Date,Session,Code\r\n,,,,\r\n\r\n"):
        error = only_error(validate(data))
        assert error.message == "attendance.csv: the file has a header row but no data rows"
    wb = openpyxl.Workbook()
    wb.active.append(MARK_HEADER)
    out = io.BytesIO()
    wb.save(out)
    error = only_error(validate(out.getvalue(), file_name="marks.xlsx"))
    assert error.message == "marks.xlsx: the file has a header row but no data rows"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_read(validate, encoding):
    data = to_csv(MARK_HEADER, mark_rows(), encoding=encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # Excel's "Unicode text" writes the mark
    result = validate(data)
    assert result.ok, [e.message for e in result.errors]
    assert result.encoding == encoding.removesuffix("-le").removesuffix("-be")
    assert result.row_count == len(mark_rows())


def test_utf16_without_byte_order_mark_is_read(validate):
    result = validate(to_csv(MARK_HEADER, mark_rows(), encoding="utf-16-le"))
    assert result.ok and result.encoding == "utf-16"


def test_broken_utf16_is_refused_naming_the_encoding(validate):
    data = to_csv(MARK_HEADER, mark_rows(), encoding="utf-16") + b"\x00\xd8"  # a lone surrogate
    error = only_error(validate(data))
    assert error.message == (
        "attendance.csv: the file looks like UTF-16 text but is not valid UTF-16 "
        "(save it again as CSV UTF-8)"
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (bytes(range(256)) * 4, "the file is not a CSV or Excel file (it holds binary data)"),
        (b"%PDF-1.7\n" + b"x" * 100, "the file is not a CSV or Excel file: it is a PDF document"),
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
            "the file is not a CSV or Excel file: it is a PNG image",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50,
            "the file is not a CSV or Excel file: it is an "
            "old Excel .xls (or other Office 97-2003) file: save it as .xlsx or CSV",
        ),
    ],
)
def test_binary_files_are_not_csv_or_excel(validate, data, what):
    assert only_error(validate(data)).message == f"attendance.csv: {what}"


def test_csv_named_xlsx_and_zip_that_is_not_a_workbook(validate):
    error = only_error(validate(to_csv(MARK_HEADER, mark_rows()), file_name="marks.xlsx"))
    assert "has an .xlsx name but is not an Excel .xlsx workbook" in error.message
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    error = only_error(validate(out.getvalue(), file_name="marks.xlsx"))
    assert error.message == "marks.xlsx: the file is a ZIP archive, not an Excel .xlsx workbook"


def test_leading_blank_line_and_a_row_over_the_block_size(validate):
    error = only_error(validate(b"\n\nURN,UPN,Date,Session,Code\n137001,x,y,AM,/\n"))
    assert error.message == "attendance.csv: row 1 is blank: the header row must be row 1"
    # An unclosed quote before 17 MB of text: a malformed row, quoted back in 80 characters.
    data = to_csv(MARK_HEADER, mark_rows()) + b'137001,"' + b"x" * (17 << 20) + b"\n"
    error = only_error(validate(data))
    assert (error.row, error.problem) == (14, "has 2 fields")
    assert error.value == '137001,"' + "x" * 72


def test_a_huge_cell_is_echoed_at_most_80_characters(validate):
    rows = mark_rows(pupils=1, days=("04/09/2023",))
    rows[0][1] = "U" * (17 << 20)
    error = only_error(validate(to_csv(MARK_HEADER, rows)))
    assert (error.row, error.column) == (2, "UPN")
    assert error.value == "U" * 80 + "... (17,825,792 characters)"
    assert len(error.message) < 300


def test_control_characters_in_values_are_escaped():
    error = ValidationError("f.csv", 2, "UPN", "A\x00B\x1b", "is not a UPN", "13 characters")
    assert error.message == "f.csv row 2, column 'UPN': 'A\\x00B\\x1b' is not a UPN (13 characters)"


def test_values_spanning_lines_are_refused(validate):
    rows = mark_rows(pupils=1, days=("04/09/2023",))
    data = to_csv(MARK_HEADER, rows[:1]) + b'137001,A201200000001,"04/09\n2023",AM,/\n'
    error = only_error(validate(data))
    assert (error.column, error.problem) == ("Date", "spans more than one line")
    assert error.expected == "each value on one line; values spanning lines are not supported"


# -- bounds ----------------------------------------------------------------------------------
def zip_bomb(rows: int) -> bytes:
    """An .xlsx whose sheet XML is the same row repeated: tiny packed, large unpacked."""
    body = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * rows
    return rewrite_sheet(
        xlsx_bytes("attendance_marks"),
        lambda xml: (
            xml.split(b"<sheetData>")[0] + b"<sheetData>" + body + b"</sheetData></worksheet>"
        ),
    )


def test_xlsx_compressed_too_far_is_refused_before_parsing(validate, monkeypatch):
    data = zip_bomb(60_000)
    sizes = {p.filename: p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert sizes["xl/worksheets/sheet1.xml"] > 2_500_000 and len(data) < 30_000

    def must_not_parse(*args, **kwargs):
        raise AssertionError("openpyxl was called")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    error = only_error(validate(data, file_name="bomb.xlsx"))
    assert error.message.startswith("bomb.xlsx: the file unpacks to ")
    assert (
        "times its size (at most 100 times is accepted from Excel): send it as CSV" in error.message
    )


def test_xlsx_unpacked_size_is_capped(validate, monkeypatch):
    monkeypatch.setattr(reading, "MAX_XLSX_UNPACKED", 1 << 20)
    monkeypatch.setattr(reading, "MAX_XLSX_RATIO", 10_000)
    error = only_error(validate(zip_bomb(40_000), file_name="big.xlsx"))
    assert "more than the 1 MB an Excel upload may hold: send it as CSV" in error.message


def test_rows_and_cells_are_capped(validate, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 10)
    error = only_error(validate(to_csv(MARK_HEADER, mark_rows(pupils=3))))
    assert error.message == (
        "attendance.csv: the file has more than 10 data rows (found 12): split it, "
        "e.g. one file per school or term"
    )
    monkeypatch.setattr(reading, "MAX_ROWS", 1000)
    monkeypatch.setattr(reading, "MAX_CELLS", 40)
    error = only_error(validate(to_csv(MARK_HEADER, mark_rows(pupils=3))))
    assert "more than 40 cells (12 rows x 5 columns)" in error.message
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    error = only_error(validate(to_csv(MARK_HEADER, mark_rows(pupils=3))))
    assert "more than the 0 MB limit" in error.message


def test_xlsx_row_gap_beyond_excels_last_row_is_refused(validate):
    data = rewrite_sheet(
        xlsx_bytes("attendance_marks"),
        lambda xml: xml.replace(b'<row r="13"', b'<row r="99999999"').replace(
            b'r="A13"', b'r="A99999999"'
        ),
    )
    error = only_error(validate(data, file_name="marks.xlsx"))
    assert "the file has more than 1,048,575 data rows" in error.message


def test_error_listing_stops_at_the_limit_and_counts_the_rest(validate):
    rows = mark_rows(pupils=200, code="H")  # 800 rows, 400 of them with a retired code
    result = validate(to_csv(MARK_HEADER, rows), max_errors=50)
    assert result.error_count == 400 and len(result.errors) == 50 and result.more_errors == 350
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_malformed_rows_beyond_those_kept_are_counted(validate, monkeypatch):
    monkeypatch.setattr(reading, "MAX_MALFORMED_KEPT", 5)
    data = to_csv(MARK_HEADER, mark_rows(pupils=1)) + b"137001,A1\n" * 30
    result = validate(data, max_errors=10)
    assert result.error_count == 30
    assert result.errors[0].problem == "has 2 fields"
