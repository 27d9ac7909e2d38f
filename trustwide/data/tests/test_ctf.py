"""The CTF reader on hand-written files: what each element becomes, and every refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from trustwide.data.ctf import SUPPORTED_VERSIONS, validate_ctf
from trustwide.data.validation import pupil_key

from .conftest import TRUST_KEY, URN

HERE = Path(__file__).parent / "ctf"
TODAY = dt.date(2025, 7, 20)


def fixture(version: int = 25) -> bytes:
    return (HERE / f"ctf{version}.xml").read_bytes()


def run(data: bytes, *, allowed=(URN,), name="school.xml"):
    return validate_ctf(
        data, file_name=name, allowed_school_urns=allowed, trust_key=TRUST_KEY, today=TODAY
    )


def by_pupil(table: pa.Table) -> dict[str, dict]:
    return {row["pupil_key"]: row for row in table.to_pylist()}


def key(upn: str) -> str:
    return pupil_key(upn, trust_key=TRUST_KEY)


A, B, C, D = "A12345678901B", "B12345678901C", "C12345678901D", "D12345678901E"


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_every_read_element_of_each_supported_version_lands_in_its_dataset(version):
    result = run(fixture(version))
    assert result.ok, result.errors
    assert (
        result.header.version == version
        and result.header.urn == URN
        and result.header.academic_year == 2024
    )
    assert result.pupils == 4
    assert set(result.tables) == {
        "characteristics",
        "attendance_marks",
        "attendance_summaries",
        "statutory",
    }

    chars = by_pupil(result.tables["characteristics"][URN])
    # year group, sex (Sex in CTF 25, Gender before), FSM now / in six years or looked after,
    # the open SEN record, EAL from the first language (ENB = believed English).
    assert {
        k: (r["year_group"], r["sex"], r["fsm"], r["disadvantaged"], r["sen"], r["eal"])
        for k, r in chars.items()
    } == {
        key(A): (6, "F", True, True, "K", True),
        key(B): (0, "M", False, True, "N", False),
        key(C): (1, "M", False, True, "E", False),
        key(D): (11, "F", False, False, "N", True),
    }
    assert chars[key(A)]["joined_on"] == dt.date(2019, 9, 4)

    marks = result.tables["attendance_marks"][URN].to_pylist()
    own = [
        (m["date"].isoformat(), m["session"], m["code"]) for m in marks if m["pupil_key"] == key(A)
    ]
    # Two sessions a day from AttendanceStartDate; '#' (the weekend) is no session; C1/J1 whole.
    assert own == [
        ("2024-09-02", "AM", "/"),
        ("2024-09-02", "PM", "\\"),
        ("2024-09-03", "AM", "/"),
        ("2024-09-03", "PM", "\\"),
        ("2024-09-04", "AM", "N"),
        ("2024-09-04", "PM", "N"),
        ("2024-09-05", "AM", "C1"),
        ("2024-09-05", "PM", "C1"),
        ("2024-09-06", "AM", "/"),
        ("2024-09-06", "PM", "L"),
        ("2024-09-09", "AM", "J1"),
        ("2024-09-09", "PM", "\\"),
    ]
    assert sorted(m["code"] for m in marks if m["pupil_key"] == key(C)) == ["/", "Y1", "Y1", "\\"]

    # A pupil without a mark string keeps the year's session summary (2023's YearData is not read).
    summaries = result.tables["attendance_summaries"][URN].to_pylist()
    assert [
        (
            s["pupil_key"],
            s["period_start"],
            s["period_end"],
            s["possible"],
            s["present"],
            s["authorised"],
            s["unauthorised"],
        )
        for s in summaries
    ] == [(key(B), dt.date(2024, 9, 4), dt.date(2025, 7, 18), 300, 285, 10, 5)]

    statutory = {
        (r["pupil_key"], r["measure"]): (r["value_num"], r["value_text"])
        for r in result.tables["statutory"][URN].to_pylist()
    }
    # Only this year's results: the 2024 MTC and the 2020 phonics check of pupil A are earlier years'.
    assert statutory == {
        (key(A), "KS2_READ"): (105.0, None),
        (key(A), "KS2_MAT"): (98.0, None),
        (key(A), "KS2_GPS"): (None, "A"),
        (key(A), "KS2_WRIT_TA"): (None, "EXS"),
        (key(A), "KS2_SCI_TA"): (None, "EXS"),
        (key(B), "EYFS_GLD"): (None, "Y"),
        (key(C), "PHONICS_Y1"): (36.0, None),
        (key(D), "KS4_ATT8"): (55.5, None),
    }
    names = {i.upn: (i.surname, i.forename, i.dob) for i in result.identities}
    assert names[A] == ("Kowalska", "Zofia", dt.date(2013, 10, 4)) and len(names) == 4


def refused(result, *expected: str) -> str:
    assert not result.ok and result.tables == {} and result.identities == []
    text = "\n".join(result.errors)
    for part in expected:
        assert part in text, text
    return text


def test_unsupported_version_is_refused_naming_the_versions_accepted():
    data = fixture().replace(b"<CTFversion>25.0<", b"<CTFversion>19.0<")
    refused(run(data), "school.xml: Header/CTFversion '19.0' is not supported", "CTF 23, 24, 25")


def test_a_school_outside_the_uploaders_scope_is_refused():
    refused(
        run(fixture(), allowed=(137999,)),
        "Header/SourceSchool/URN 137001 (Brookside Primary) is not a school of this trust you may import",
    )


def test_pupil_without_upn_and_duplicated_pupil_are_each_reported_and_nothing_is_kept():
    data = fixture().replace(b"<UPN>B12345678901C</UPN>", b"")
    data = data.replace(b"<UPN>D12345678901E</UPN>", b"<UPN>C12345678901D</UPN>")
    text = refused(
        run(data),
        "pupil 2 in the file, element UPN: is missing",
        "pupil C12345678901D, element UPN: appears twice (pupils 3 and 4 in the file",
    )
    assert len(run(data).errors) == 2, text


def test_bad_values_name_the_pupil_the_element_and_what_was_expected():
    data = fixture().replace(b"NNC1C1", b"NNH1C1").replace(b"<Result>105<", b"<Result>150<")
    data = data.replace(b"<NCyearActual>R<", b"<NCyearActual>Q<")
    result = run(data)
    refused(
        result,
        "pupil A12345678901B on 2024-09-05 AM, element Attendance/YearData/AttendanceMarks: 'H1' is not a DfE attendance code",
        "pupil A12345678901B, KS2/ENG/TT/RD, element StageAssessments/KeyStage/StageAssessment/Result: '150'",
        "pupil B12345678901C, element NCyearActual: 'Q' is not a year group",
    )


PHONICS_C = b"<Result>36</Result><ResultDate>2025-06-13</ResultDate>\n          </StageAssessment>"


def _with_ks1(writing: str) -> bytes:
    """Pupil C (phonics this year) with KS1 teacher assessments in the same KeyStage KS1."""
    element = (
        "<StageAssessment><Locale>ENG</Locale><Year>2025</Year><Subject>{}</Subject>"
        "<Method>TA</Method><Component>{}</Component><ResultStatus>F</ResultStatus>"
        "<Result>{}</Result><ResultDate>2025-06-20</ResultDate></StageAssessment>"
    )
    added = "".join(
        element.format(*e)
        for e in (("ENG", "RD", "EXS"), ("ENG", "WRIT", writing), ("MAT", "", "GDS"))
    )
    added += element.format("SCI", "", "HNM")
    data = fixture()
    assert data.count(PHONICS_C) == 1
    return data.replace(PHONICS_C, PHONICS_C + added.encode())


def test_ks1_teacher_assessments_become_the_ks1_measures():
    result = run(_with_ks1("WTS"))
    assert result.ok, result.errors
    rows = result.tables["statutory"][URN].to_pylist()
    ks1 = {r["measure"]: r["value_text"] for r in rows if r["pupil_key"] == key(C)}
    assert ks1 == {
        "PHONICS_Y1": None,
        "KS1_READ_TA": "EXS",
        "KS1_WRIT_TA": "WTS",
        "KS1_MAT_TA": "GDS",
        "KS1_SCI_TA": "HNM",
    }


def test_a_bad_ks1_code_in_a_ctf_names_the_pupil_the_element_and_the_codes():
    refused(
        run(_with_ks1("EXP")),
        "pupil C12345678901D, KS1/ENG/TA/WRIT, element StageAssessments/KeyStage/"
        "StageAssessment/Result: 'EXP' is not a valid result for KS1_WRIT_TA",
        "one of GDS, EXS, WTS, PK4, PK3, PK2, PK1, PKF, BLW, EM, A, D",
    )


def test_malformed_xml_is_refused_with_the_parser_position():
    data = fixture().replace(b"</Surname>", b"</Surnam>", 1)
    refused(run(data), "school.xml: the file is not well-formed XML (mismatched tag: line")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil><Surname>&lol9;</Surname></Pupil></CTFpupilData></CTfile>
"""


def test_entity_expansion_file_is_refused_before_expanding_anything():
    refused(run(BILLION_LAUGHS), "declares a DTD or XML entities", "billion laughs")


def test_a_file_that_is_not_a_ctf_is_refused():
    refused(
        run(b"<?xml version='1.0'?><Roster><Pupil/></Roster>"),
        "the root element is <Roster>, not <CTfile>",
    )
    refused(run(b""), "the file is empty")
