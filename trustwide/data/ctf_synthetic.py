"""Write a Common Transfer File from the synthetic generator's CSV files of one school and year.

For the benchmark (bench/imports.py) and the round-trip test (the KPIs of a CTF import equal
those of the same data imported as CSV). It writes exactly what ctf.py reads, with the inverse
of its rules (FSM history from the FSM and disadvantaged flags, first language from EAL...).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

from trustwide.data.ctf import MEASURE_CODES
from trustwide.data.parsing import parse_uk_date

_MEASURE_TO_CODES = {measure: key for key, measure in MEASURE_CODES.items()}


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _iso(text: str) -> str:
    parsed = parse_uk_date(text) if text else None
    return parsed.isoformat() if parsed else ""


def _add(parent: Element, tag: str, text: str | None = None) -> Element:
    element = SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def ctf_from_generated(
    folder: str | Path,
    *,
    urn: int,
    academic_year: int,
    version: int = 25,
    lea: str = "999",
    estab: str = "2001",
    school_name: str = "Synthetic school",
) -> bytes:
    """CTF XML (bytes) for school `urn` in `academic_year` of a generate_trust output folder."""
    base = Path(folder) / str(academic_year) / str(urn)
    created = dt.date(academic_year + 1, 7, 20)
    root = Element("CTfile")
    header = _add(root, "Header")
    _add(header, "DocumentName", "Common Transfer File")
    _add(header, "CTFversion", f"{version}.0")
    _add(header, "DateTime", f"{created.isoformat()}T10:00:00")
    _add(header, "DocumentQualifier", "full")
    source = _add(header, "SourceSchool")
    for tag, text in (
        ("LEA", lea),
        ("Estab", estab),
        ("URN", str(urn)),
        ("SchoolName", school_name),
        ("AcademicYear", str(academic_year)),
    ):
        _add(source, tag, text)
    dest = _add(header, "DestSchool")
    _add(dest, "LEA", "MAT")
    _add(dest, "Estab", "MAT")

    marks: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    first_day: dt.date | None = None
    for row in _rows(base / "attendance_marks.csv"):
        day = parse_uk_date(row["Date"])
        marks[row["UPN"]][(day.isoformat(), row["Session"])] = row["Code"]
        first_day = day if first_day is None or day < first_day else first_day
    results: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in _rows(base / "statutory.csv"):
        results[row["UPN"]].append((row["Measure"], row["Result"]))

    pupils = _add(root, "CTFpupilData")
    for row in _rows(base / "characteristics.csv"):
        upn = row["UPN"]
        pupil = _add(pupils, "Pupil")
        _add(pupil, "UPN", upn)
        _add(pupil, "Surname", row["Surname"])
        _add(pupil, "Forename", row["Forename"])
        _add(pupil, "DOB", _iso(row["DOB"]))
        _add(pupil, "Sex" if version >= 25 else "Gender", row["Sex"])
        _add(pupil, "NCyearActual", row["Year group"])
        details = _add(pupil, "BasicDetails")
        _add(details, "Ethnicity", "WBRI")
        _add(details, "FirstLanguage", "POL" if row["EAL"] == "Y" else "ENG")
        history = _add(pupil, "FSMhistory")
        if row["FSM"] == "Y":
            instance = _add(history, "FSMinstance")
            _add(instance, "FSMstartDate", f"{academic_year - 1}-09-01")
            _add(instance, "UKcountry", "ENG")
        elif row["Disadvantaged"] == "Y":
            instance = _add(history, "FSMinstance")
            _add(instance, "FSMstartDate", f"{academic_year - 3}-09-01")
            _add(instance, "FSMendDate", f"{academic_year - 2}-07-20")
            _add(instance, "UKcountry", "ENG")
        if row["SEN"] in ("K", "E"):
            sen = _add(_add(pupil, "SENhistory"), "SEN")
            _add(sen, "StartDate", f"{academic_year - 1}-09-01")
            _add(sen, "SENprovision", row["SEN"])
        looked_after = _add(pupil, "LookedAfter")
        _add(looked_after, "InCare", "false")
        if row.get("Date joined") or row.get("Date left"):
            school = _add(_add(pupil, "SchoolHistory"), "School")
            _add(school, "LEA", lea)
            _add(school, "Estab", estab)
            _add(school, "URN", str(urn))
            _add(school, "EntryDate", _iso(row.get("Date joined", "")))
            if row.get("Date left"):
                _add(school, "LeavingDate", _iso(row["Date left"]))
        own = marks.get(upn)
        if own:
            last = max(dt.date.fromisoformat(d) for d, _ in own)
            codes = []
            day = first_day
            while day <= last:
                for session in ("AM", "PM"):
                    codes.append(own.get((day.isoformat(), session), "#"))
                day += dt.timedelta(days=1)
            year_data = _add(_add(pupil, "Attendance"), "YearData")
            _add(year_data, "Year", str(academic_year))
            _add(year_data, "AttendanceStartDate", first_day.isoformat())
            _add(year_data, "AttendanceMarks", "".join(codes))
        if results.get(upn):
            stages: dict[str, Element] = {}
            assessments = _add(pupil, "StageAssessments")
            for measure, result in results[upn]:
                stage, subject, method, component = _MEASURE_TO_CODES[measure]
                if stage not in stages:
                    stages[stage] = _add(assessments, "KeyStage")
                    _add(stages[stage], "Stage", stage)
                sa = _add(stages[stage], "StageAssessment")
                for tag, text in (
                    ("Locale", "ENG"),
                    ("Year", str(academic_year + 1)),
                    ("Subject", subject),
                    ("Method", method),
                    ("Component", component),
                    ("ResultStatus", "F"),
                    ("ResultQualifier", "SS" if method == "TT" else "TA"),
                    ("Result", result),
                ):
                    _add(sa, tag, text)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(
        root, encoding="utf-8", xml_declaration=False
    )
