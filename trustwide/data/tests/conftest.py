"""Small import files built in the test itself (no shared data files)."""

from __future__ import annotations

import pytest

TRUST_KEY = b"test-trust-key"
URN = 137001
OTHER_URN = 137999

MARK_HEADER = ["URN", "UPN", "Date", "Session", "Code"]
CHAR_HEADER = [
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
    "Prior attainment",
    "Date joined",
    "Date left",
]


def upn(i: int) -> str:
    return f"A{201200000000 + i:012d}"


def to_csv(header, rows, *, delimiter=",", encoding="utf-8", newline="\n") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(c) for c in row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def mark_rows(pupils=3, days=("04/09/2023", "05/09/2023"), code="/"):
    return [
        [URN, upn(p), d, s, code if s == "AM" else "\\"]
        for p in range(pupils)
        for d in days
        for s in ("AM", "PM")
    ]


def char_rows():
    return [
        [
            URN,
            upn(0),
            "Jones",
            "Zoë",
            "12/03/2013",
            "5",
            "F",
            "Y",
            "Y",
            "N",
            "N",
            "",
            "01/09/2019",
            "",
        ],
        [
            URN,
            upn(1),
            "Pryce",
            "Siân",
            "2012-11-30",
            "Y6",
            "F",
            "N",
            "N",
            "K",
            "Y",
            "middle",
            "",
            "",
        ],
        [
            URN,
            upn(2),
            "Brontë",
            "Noël",
            "01-10-2016",
            "R",
            "M",
            "No",
            "No",
            "EHCP",
            "No",
            "",
            "",
            "",
        ],
    ]


@pytest.fixture
def validate():
    from trustwide.data.validation import validate_file

    def run(data, dataset="attendance_marks", file_name="attendance.csv", **kw):
        kw.setdefault("academic_year", 2023)
        kw.setdefault("allowed_school_urns", [URN])
        kw.setdefault("trust_key", TRUST_KEY)
        kw.setdefault("today", __import__("datetime").date(2024, 9, 30))
        return validate_file(data, dataset=dataset, file_name=file_name, **kw)

    return run
