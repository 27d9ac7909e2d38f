"""Import validation: every kind of bad input reported with file, row, column, value and what
was expected; valid files in every encoding, delimiter and Excel."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pyarrow.parquet as pq
import pytest

from trustwide.data.store import AnalyticsStore
from trustwide.data.tests.conftest import (
    CHAR_HEADER,
    MARK_HEADER,
    OTHER_URN,
    TRUST_KEY,
    URN,
    char_rows,
    mark_rows,
    to_csv,
    upn,
)
from trustwide.data.validation import pupil_key


def messages(result):
    return [e.message for e in result.errors]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_valid_characteristics_in_each_encoding_and_delimiter(validate, delimiter, encoding):
    data = to_csv(
        CHAR_HEADER,
        char_rows(),
        delimiter=delimiter,
        encoding=encoding,
        newline="\r\n" if encoding == "cp1252" else "\n",
    )
    result = validate(data, dataset="characteristics", file_name="pupils.csv")
    assert result.ok, messages(result)
    assert result.encoding == encoding and result.delimiter == delimiter
    table = result.tables[URN]
    assert table.column("year_group").to_pylist() == [5, 6, 0]
    assert table.column("sen").to_pylist() == ["N", "K", "E"]
    assert table.column("disadvantaged").to_pylist() == [True, False, False]
    assert table.column("joined_on").to_pylist()[0] == dt.date(2019, 9, 1)
    names = {(i.forename, i.surname, i.dob) for i in result.identities}
    assert ("Zoë", "Jones", dt.date(2013, 3, 12)) in names
    assert ("Siân", "Pryce", dt.date(2012, 11, 30)) in names
    assert ("Noël", "Brontë", dt.date(2016, 10, 1)) in names
    # No identifying data in what goes to Parquet.
    assert {"upn", "surname", "forename", "dob"}.isdisjoint(table.column_names)
    assert table.column("pupil_key").to_pylist()[0] == pupil_key(upn(0), trust_key=TRUST_KEY)


def test_valid_marks_and_blank_lines(validate):
    rows = mark_rows()
    data = (
        to_csv(MARK_HEADER, rows[:3]) + b"\n\n" + to_csv(MARK_HEADER, rows[3:]).split(b"\n", 1)[1]
    )
    result = validate(data)
    assert result.ok, messages(result)
    assert result.row_count == len(rows)
    table = result.tables[URN]
    assert set(table.column("code").to_pylist()) == {"/", "\\"}
    assert table.schema.field("date").type == "date32[day]"
    assert len(result.identities) == 3 and result.identities[0].surname is None


def test_xlsx(validate):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(MARK_HEADER)
    for p in range(2):
        for s in ("AM", "PM"):
            sheet.append([URN, upn(p), dt.datetime(2023, 9, 4), s, "/" if s == "AM" else "\\"])
    sheet.append([URN, upn(3), dt.datetime(2023, 9, 4), "AM", "H"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = validate(buffer.getvalue(), file_name="register.xlsx")
    assert messages(result)[0].startswith(
        "register.xlsx row 6, column 'Code': 'H' is not a DfE attendance code (retired in 2024"
    )
    assert result.error_count == 1
    sheet.delete_rows(6)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = validate(buffer.getvalue(), file_name="register.xlsx")
    assert result.ok, messages(result)
    assert result.tables[URN].num_rows == 4


def test_mapping_and_header_matching(validate):
    header = [" urn ", "Pupil UPN", "DATE", "AM/PM", "Mark"]
    mapping = {"UPN": "pupil upn", "Session": "am/pm", "code": "MARK"}
    result = validate(to_csv(header, mark_rows()), mapping=mapping)
    assert result.ok, messages(result)


def test_missing_required_column_is_one_error(validate):
    result = validate(to_csv(["URN", "UPN", "Date", "Mark"], [[URN, upn(0), "04/09/2023", "/"]]))
    assert messages(result) == [
        "attendance.csv row 1: missing required columns 'Session', 'Code' "
        "(headers found: 'URN', 'UPN', 'Date', 'Mark')"
    ]
    assert not result.tables


def test_every_error_reported_together_and_nothing_stored(validate, tmp_path):
    rows = mark_rows(pupils=1, days=("04/09/2023",))
    rows += [
        [URN, upn(1), "04/09/2023", "AM", "H"],  # row 4: retired code
        [URN, upn(1), "04/09/2023", "PM", "Q9"],  # row 5: unknown code
        [URN, upn(0), "2023-09-04", "AM", "/"],  # row 6: duplicate of row 2
        [URN, upn(2), "04/09/2024", "AM", "/"],  # row 7: next academic year
        [OTHER_URN, upn(3), "04/09/2023", "AM", "/"],  # row 8: school outside scope
        [URN, upn(4), "31/02/2024", "AM", "/"],  # row 9: no such date
        [URN, "12345", "05/09/2023", "XX", "/"],  # row 10: bad UPN and session
        [URN, upn(5), "05/09/2023", "AM", "-"],  # row 11: no mark on a past date
    ]
    result = validate(to_csv(MARK_HEADER, rows))
    got = messages(result)
    assert result.error_count == len(got) == 9
    assert got[0].startswith(
        "attendance.csv row 4, column 'Code': 'H' is not a DfE attendance code (retired in 2024"
    )
    assert got[1].startswith(
        "attendance.csv row 5, column 'Code': 'Q9' is not a DfE attendance code "
        "(expected one of / \\ L K V P W B D C1"
    )
    assert got[2].startswith("attendance.csv row 6, column 'UPN': 'A201200000000' appears twice")
    assert "first seen on row 2" in got[2]
    assert got[3] == (
        "attendance.csv row 7, column 'Date': '04/09/2024' is outside the academic "
        "year 2023/24 (a date from 01/09/2023 to 31/08/2024)"
    )
    assert got[4].startswith(
        f"attendance.csv row 8, column 'URN': '{OTHER_URN}' is a school outside "
        f"your schools (the URN of a school you may import for: {URN})"
    )
    assert got[5].startswith("attendance.csv row 9, column 'Date': '31/02/2024' is not a date")
    assert [(e.row, e.column) for e in result.errors[6:]] == [
        (10, "UPN"),
        (10, "Session"),
        (11, "Code"),
    ]
    assert all(e.file_name == "attendance.csv" for e in result.errors)
    assert result.tables == {} and result.identities == []
    store = AnalyticsStore(tmp_path / "store")
    if result.ok:  # the importer's flow: nothing reaches the store unless the file is clean
        store.write_batch(
            dataset="attendance_marks", trust_id=1, academic_year=2023, tables=result.tables
        )
    assert store.paths("attendance_marks", 1) == [] and not (tmp_path / "store").exists()


def test_duplicate_pupil_in_characteristics(validate):
    rows = char_rows() + [char_rows()[1]]
    result = validate(to_csv(CHAR_HEADER, rows), dataset="characteristics", file_name="pupils.csv")
    assert messages(result) == [
        f"pupils.csv row 5, column 'UPN': '{upn(1)}' appears twice: duplicate row for this pupil "
        "(one row per pupil; first seen on row 3)"
    ]


def test_characteristics_bad_values(validate):
    rows = char_rows()
    rows[0][5], rows[0][6], rows[0][7], rows[1][4], rows[2][9] = "15", "X", "maybe", "1/1/1900", "Z"
    result = validate(to_csv(CHAR_HEADER, rows), dataset="characteristics", file_name="pupils.csv")
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "Year group", "15"),
        (2, "Sex", "X"),
        (2, "Disadvantaged", "maybe"),
        (3, "DOB", "1/1/1900"),
        (4, "SEN", "Z"),
    ]


@pytest.mark.parametrize(
    ("measure", "value", "ok"),
    [
        ("KS2_READ", "100", True),
        ("KS2_READ", "79", False),
        ("KS2_MAT", "121", False),
        ("KS2_GPS", "B", True),
        ("KS2_READ", "104.5", False),
        ("PHONICS_Y1", "40", True),
        ("PHONICS_Y1", "41", False),
        ("MTC", "25", True),
        ("MTC", "26", False),
        ("KS4_ATT8", "90", True),
        ("KS4_ATT8", "90.5", False),
        ("KS4_ATT8", "abc", False),
        ("EYFS_GLD", "Y", True),
        ("EYFS_GLD", "3", False),
        ("KS2_WRIT_TA", "GDS", True),
        # KS1 teacher assessment (optional since 2023/24): DfE's outcome codes only.
        ("KS1_READ_TA", "GDS", True),
        ("KS1_WRIT_TA", "pk4", True),
        ("KS1_MAT_TA", "D", True),
        ("KS1_SCI_TA", "HNM", True),
        ("KS1_SCI_TA", "GDS", False),  # science has no greater depth
        ("KS1_MAT_TA", "100", False),
        # KS4 subject grades: whole grades 1-9, U (entered, 0 points) or X (no result).
        ("KS4_MATHS", "9", True),
        ("KS4_MATHS", "0", False),
        ("KS4_MATHS", "5.5", False),
        ("KS4_ENG_LIT", "U", True),
        ("KS4_ENG_LANG", "X", True),
        ("KS4_ENG_LANG", "C", False),
        ("KS4_COMB_SCI", "5.5", True),  # the mean of a double award's two grades
        ("KS4_OTHER_1", "8.5", True),  # an approved qualification's DfE points
        ("KS4_KS2_PRIOR", "104.5", True),
        ("KS4_KS2_PRIOR", "79", False),
    ],
)
def test_statutory_ranges(validate, measure, value, ok):
    data = to_csv(["URN", "UPN", "Measure", "Result"], [[URN, upn(0), measure, value]])
    result = validate(data, dataset="statutory", file_name="results.csv")
    assert result.ok is ok, messages(result)
    if not ok:
        assert result.errors[0].row == 2 and result.errors[0].column == "Result"
        assert result.errors[0].value == value
    else:
        row = result.tables[URN].to_pylist()[0]
        assert row["measure"] == measure
        assert (row["value_num"] is None) == (not value.replace(".", "").isdigit())


def test_a_bad_ks1_code_names_file_row_column_and_the_codes_expected(validate):
    rows = [
        [URN, upn(0), "KS1_READ_TA", "EXS"],
        [URN, upn(1), "KS1_WRIT_TA", "EXP"],  # not a DfE code (EXS is)
        [URN, upn(2), "KS1 SCI TA", "exs"],
    ]
    data = to_csv(["URN", "UPN", "Measure", "Result"], rows)
    result = validate(data, dataset="statutory", file_name="ks1.csv")
    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "Result", "EXP")
    text = error.message
    assert text.startswith("ks1.csv row 3, column 'Result': 'EXP'"), text
    assert "KS1_WRIT_TA" in text
    assert "GDS, EXS, WTS, PK4, PK3, PK2, PK1, PKF, BLW, EM, A, D" in text


def test_ks1_results_are_stored_as_codes(validate):
    rows = [[URN, upn(0), m, v] for m, v in (("KS1_READ_TA", "gds"), ("KS1 sci ta", "HNM"))]
    result = validate(to_csv(["URN", "UPN", "Measure", "Result"], rows), dataset="statutory")
    assert result.ok, messages(result)
    stored = {
        (r["measure"], r["value_num"], r["value_text"]) for r in result.tables[URN].to_pylist()
    }
    assert stored == {("KS1_READ_TA", None, "GDS"), ("KS1_SCI_TA", None, "HNM")}


def test_assessments(validate):
    header = ["URN", "UPN", "Term", "Subject", "Judgement", "Score"]
    rows = [
        [URN, upn(0), "Autumn", "Reading", "EXS", ""],
        [URN, upn(0), "Aut", "Mathematics", "", "104"],
        [URN, upn(1), "summer", "maths", "", "250"],
        [URN, upn(1), "spring", "maths", "", ""],
        [URN, upn(2), "winter", "maths", "GDS", ""],
    ]
    result = validate(to_csv(header, rows), dataset="assessments", file_name="ta.csv")
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "Score"),
        (5, "Judgement"),
        (6, "Term"),
    ]
    assert "out of range" in result.errors[0].message
    result = validate(to_csv(header, rows[:2]), dataset="assessments", file_name="ta.csv")
    assert result.tables[URN].column("subject").to_pylist() == ["reading", "maths"]


def test_unparseable_numbers_in_summaries(validate):
    header = [
        "URN",
        "UPN",
        "Period start",
        "Period end",
        "Possible",
        "Present",
        "Authorised",
        "Unauthorised",
    ]
    rows = [
        [URN, upn(0), "01/09/2023", "20/12/2023", "140", "130", "6", "4"],
        [URN, upn(1), "01/09/2023", "20/12/2023", "lots", "130", "6", "4"],
        [URN, upn(2), "01/09/2023", "20/12/2023", "100", "130", "6", "4"],
    ]
    result = validate(to_csv(header, rows), dataset="attendance_summaries", file_name="summary.csv")
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "Possible", "lots"),
        (4, "Possible", "100"),
    ]


def test_malformed_row_and_empty_file(validate):
    data = to_csv(MARK_HEADER, mark_rows(pupils=1, days=("04/09/2023",))) + b"137001,A1\n"
    result = validate(data)
    assert messages(result) == [
        "attendance.csv row 4: '137001,A1' has 2 fields (5 fields, like the header)"
    ]
    assert messages(validate(b"")) == ["attendance.csv: the file is empty"]


def test_no_identifying_data_in_parquet(validate, tmp_path):
    result = validate(
        to_csv(CHAR_HEADER, char_rows()), dataset="characteristics", file_name="p.csv"
    )
    store = AnalyticsStore(tmp_path)
    store.write_batch(
        dataset="characteristics", trust_id=1, academic_year=2023, tables=result.tables
    )
    for path in store.paths("characteristics", 1) + store.paths("pupils", 1):
        raw = (tmp_path / path).read_bytes()
        assert upn(0).encode() not in raw and "Zoë".encode() not in raw
        assert pq.read_table(path).num_rows == 3
