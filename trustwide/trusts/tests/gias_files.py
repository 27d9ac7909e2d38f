"""GIAS-format files for tests and the bench, built from the real header in ../shared/data/gias."""

from __future__ import annotations

import csv
import io
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "gias"
if not SHARED.exists():  # worktrees sit beside /work/shared
    SHARED = Path("/work/shared/data/gias")
HEADER_FILE = SHARED / "edubasealldata-header.csv"
LINKS_FILE = SHARED / "links_edubasealldata20250422.csv"


def header() -> list[str]:
    with HEADER_FILE.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def establishment(
    urn: int,
    *,
    name: str = "",
    trust_code: str = "4015",
    trust_name: str = "Oak Learning Trust",
    **overrides,
) -> dict:
    row = {
        "URN": str(urn),
        "LA (code)": "383",
        "LA (name)": "Leeds",
        "EstablishmentNumber": f"{urn % 10000:04d}",
        "EstablishmentName": name or f"School {urn}",
        "TypeOfEstablishment (code)": "34",
        "TypeOfEstablishment (name)": "Academy converter",
        "EstablishmentTypeGroup (code)": "10",
        "EstablishmentTypeGroup (name)": "Academies",
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "01-09-2015",
        "CloseDate": "",
        "PhaseOfEducation (code)": "2",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "NurseryProvision (name)": "Has Nursery Classes",
        "OfficialSixthForm (code)": "2",
        "Trusts (code)": trust_code,
        "Trusts (name)": trust_name,
        "UKPRN": "10012345",
        "OfstedLastInsp": "12-03-2019",
        "OfstedRating (name)": "Good",
        "Street": "1 High Street",
        "Town": "Leeds",
        "Postcode": "LS1 1AA",
        "HeadFirstName": "Ann",
        "HeadLastName": "Smith",
    }
    row.update(overrides)
    return row


def gias_bytes(
    rows: list[dict], *, encoding: str = "cp1252", columns: list[str] | None = None
) -> bytes:
    columns = columns or header()
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def national_file(n: int, trust_rows: list[dict]) -> bytes:
    """n rows of other trusts' (and no trust's) schools around the trust's rows, like the real download."""
    others = [
        establishment(
            200000 + i,
            trust_code=str(5000 + i % 2000) if i % 3 else "",
            trust_name=f"Trust {i % 2000}" if i % 3 else "",
        )
        for i in range(n)
    ]
    middle = len(others) // 2
    return gias_bytes(others[:middle] + trust_rows + others[middle:])
