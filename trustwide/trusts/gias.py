"""Reading GIAS files: the "all establishment data" download (edubasealldata*.csv) and the links
file. No writes here: `read_establishments` streams the file once with the csv module and keeps
only the rows of the chosen trust, `plan_import` compares them with the trust's schools, and
`trusts.services.gias_import_apply` writes the plan in one transaction.

GIAS files are Windows-1252 in practice; UTF-8 (with or without a byte-order mark) is accepted
too. Dates are dd-mm-yyyy. Codes and names come in pairs ("PhaseOfEducation (code)"/"(name)").
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .models import AcademyType, Phase, School

TYPES_FILE = Path(__file__).with_name("gias_establishment_types.csv")

# The columns the importer reads; a file without any of them is not the GIAS download.
COLUMNS = [
    "URN",
    "LA (code)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "OpenDate",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "NurseryProvision (name)",
    "OfficialSixthForm (code)",
    "Trusts (code)",
    "Trusts (name)",
    "UKPRN",
    "OfstedLastInsp",
    "Street",
    "Town",
    "Postcode",
    "HeadFirstName",
    "HeadLastName",
    "OfstedRating (name)",
]
OPEN_STATUSES = {"1", "3"}  # Open; Open, but proposed to close
CLOSED_STATUS = "2"
PHASES = {
    "1": Phase.NURSERY,
    "2": Phase.PRIMARY,
    "3": Phase.MIDDLE,
    "4": Phase.SECONDARY,
    "5": Phase.MIDDLE,
    "6": Phase.SIXTEEN_PLUS,
    "7": Phase.ALL_THROUGH,
}
SPECIAL_TYPES = {"7", "8", "10", "12", "33", "36", "44"}
AP_TYPES = {"14", "38", "42", "43"}
ACADEMY_TYPES = {
    "34": AcademyType.CONVERTER,
    "28": AcademyType.SPONSOR_LED,
    "35": AcademyType.FREE_SCHOOL,
    "39": AcademyType.FREE_SCHOOL,
    "36": AcademyType.FREE_SCHOOL,
    "44": AcademyType.SPECIAL_CONVERTER,
    "33": AcademyType.SPECIAL_SPONSOR_LED,
    "38": AcademyType.ALTERNATIVE_PROVISION,
    "42": AcademyType.ALTERNATIVE_PROVISION,
    "43": AcademyType.ALTERNATIVE_PROVISION,
    "40": AcademyType.STUDIO_OR_UTC,
    "41": AcademyType.STUDIO_OR_UTC,
    "45": AcademyType.CONVERTER,
    "46": AcademyType.SPONSOR_LED,
    "57": AcademyType.SPONSOR_LED,
}
OFSTED_GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "serious weaknesses": "Inadequate",
    "special measures": "Inadequate",
}
REPORT_CARDS_FROM = datetime.date(2025, 11, 10)
# What a re-import may change on an existing school (hub, roll and percentages are the trust's own).
UPDATABLE = [
    "name",
    "la_code",
    "establishment_number",
    "ukprn",
    "phase",
    "establishment_type",
    "academy_type",
    "age_low",
    "age_high",
    "has_sixth_form",
    "has_nursery",
    "street",
    "town",
    "postcode",
    "headteacher",
]


@dataclass(frozen=True)
class GiasError:
    row: int | None  # the file's line number (the header is line 1)
    column: str
    value: str
    expected: str

    def __str__(self):
        where = f"Row {self.row}, column {self.column!r}" if self.row else f"Column {self.column!r}"
        return f"{where}: {self.value!r} - expected {self.expected}."


@dataclass
class Establishment:
    row: int
    urn: int
    fields: dict  # School field -> value, ready for the model
    status_code: str
    status_name: str
    close_date: datetime.date | None
    open_date: datetime.date | None
    trust_code: str
    trust_name: str
    ofsted_rating: str = ""
    ofsted_inspected_on: datetime.date | None = None

    @property
    def is_open(self) -> bool:
        return self.status_code in OPEN_STATUSES

    def as_session(self) -> dict:
        """JSON-ready, so a preview can be confirmed without uploading the file again."""

        def plain(v):
            return v.isoformat() if isinstance(v, datetime.date) else v

        data = {k: plain(v) for k, v in self.__dict__.items() if k != "fields"}
        data["fields"] = {k: plain(v) for k, v in self.fields.items()}
        return data

    @classmethod
    def from_session(cls, data: dict) -> Establishment:
        def day(v):
            return datetime.date.fromisoformat(v) if v else None

        data = dict(data)
        for key in ("close_date", "open_date", "ofsted_inspected_on"):
            data[key] = day(data[key])
        return cls(**data)


@dataclass
class ReadResult:
    establishments: list[Establishment] = field(default_factory=list)
    errors: list[GiasError] = field(default_factory=list)
    rows_read: int = 0
    encoding: str = ""


@cache
def establishment_types() -> dict[str, tuple[str, str]]:
    """Type code -> (type name, group code), from the shipped GIAS list."""
    with TYPES_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["type-of-establishment-code"]: (
                row["type-of-establishment-name"],
                row["establishment-type-group-code"],
            )
            for row in csv.DictReader(handle)
        }


def _text_stream(binary) -> tuple[io.TextIOBase, str]:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else Windows-1252. The check
    reads the file once in 1 MB chunks (an incremental decoder: no copy of the file in memory)."""
    binary.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    binary.seek(0)
    # cp1252 leaves five bytes undefined; GIAS never uses them, and a stray one must not stop the file.
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline=""), encoding


def _date(value: str, row: int, column: str, errors: list) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%d-%m-%Y").date()
    except ValueError:
        errors.append(GiasError(row, column, value, "a date as dd-mm-yyyy, e.g. 01-09-2021"))
        return None


def _int(value: str, row: int, column: str, errors: list, expected: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        errors.append(GiasError(row, column, value, expected))
        return None


def _phase(rec: dict, row: int, errors: list) -> str | None:
    code = rec["PhaseOfEducation (code)"].strip()
    if code in PHASES:
        return PHASES[code]
    type_code = rec["TypeOfEstablishment (code)"].strip()
    if type_code in SPECIAL_TYPES or rec["EstablishmentTypeGroup (code)"].strip() == "5":
        return Phase.SPECIAL
    if type_code in AP_TYPES:
        return Phase.ALTERNATIVE_PROVISION
    errors.append(
        GiasError(
            row,
            "PhaseOfEducation (code)",
            f"{code} ({rec['PhaseOfEducation (name)'].strip()})".strip(),
            "a phase code 1-7 (Nursery, Primary, Middle, Secondary, 16 plus, All-through), "
            "or a special or alternative-provision type of establishment",
        )
    )
    return None


def _establishment(rec: dict, row: int, errors: list) -> Establishment | None:
    before = len(errors)
    urn = _int(rec["URN"], row, "URN", errors, "a URN of six digits")
    la = rec["LA (code)"].strip()
    if not (len(la) == 3 and la.isdigit()):
        errors.append(GiasError(row, "LA (code)", la, "three digits, e.g. 383"))
    number = rec["EstablishmentNumber"].strip()
    if not (len(number) == 4 and number.isdigit()):
        errors.append(GiasError(row, "EstablishmentNumber", number, "four digits, e.g. 2358"))
    name = rec["EstablishmentName"].strip()
    if not name:
        errors.append(GiasError(row, "EstablishmentName", "", "the school's name"))
    ukprn = rec["UKPRN"].strip()
    if ukprn and not (len(ukprn) == 8 and ukprn.isdigit()):
        errors.append(GiasError(row, "UKPRN", ukprn, "eight digits, or empty"))
    age_low = _int(
        rec["StatutoryLowAge"], row, "StatutoryLowAge", errors, "an age in whole years, e.g. 4"
    )
    age_high = _int(
        rec["StatutoryHighAge"], row, "StatutoryHighAge", errors, "an age in whole years, e.g. 11"
    )
    phase = _phase(rec, row, errors)
    close_date = _date(rec["CloseDate"], row, "CloseDate", errors)
    open_date = _date(rec["OpenDate"], row, "OpenDate", errors)
    inspected_on = _date(rec["OfstedLastInsp"], row, "OfstedLastInsp", errors)
    if len(errors) > before:
        return None
    type_code = rec["TypeOfEstablishment (code)"].strip()
    type_name = (
        rec["TypeOfEstablishment (name)"].strip()
        or establishment_types().get(type_code, ("", ""))[0]
    )
    head = " ".join(p for p in (rec["HeadFirstName"].strip(), rec["HeadLastName"].strip()) if p)
    return Establishment(
        row=row,
        urn=urn,
        fields={
            "name": name[:200],
            "la_code": la,
            "establishment_number": number,
            "ukprn": ukprn,
            "phase": phase,
            "establishment_type": type_name[:100],
            "academy_type": ACADEMY_TYPES.get(type_code, ""),
            "age_low": age_low,
            "age_high": age_high,
            "has_sixth_form": rec["OfficialSixthForm (code)"].strip() == "1",
            "has_nursery": rec["NurseryProvision (name)"].strip().lower() == "has nursery classes",
            "street": rec["Street"].strip()[:200],
            "town": rec["Town"].strip()[:100],
            "postcode": rec["Postcode"].strip()[:10],
            "headteacher": head[:200],
        },
        status_code=rec["EstablishmentStatus (code)"].strip(),
        status_name=rec["EstablishmentStatus (name)"].strip(),
        close_date=close_date,
        open_date=open_date,
        trust_code=rec["Trusts (code)"].strip(),
        trust_name=rec["Trusts (name)"].strip(),
        ofsted_rating=rec["OfstedRating (name)"].strip(),
        ofsted_inspected_on=inspected_on,
    )


def read_establishments(binary, *, trust_code: str = "", trust_name: str = "") -> ReadResult:
    """The rows of one trust (by GIAS trust code, or by exact name, any case), validated. Other
    trusts' rows are only split by the csv module and compared on one column."""
    result = ReadResult()
    trust_code, trust_name = trust_code.strip(), trust_name.strip().casefold()
    if not trust_code and not trust_name:
        result.errors.append(GiasError(None, "Trusts (code)", "", "the trust's GIAS code or name"))
        return result
    text, result.encoding = _text_stream(binary)
    try:
        reader = csv.reader(text)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            result.errors.append(
                GiasError(
                    1,
                    "header",
                    shown,
                    "GIAS's 'all establishment data' header (edubasealldata*.csv) with these columns",
                )
            )
            return result
        index = {name: header.index(name) for name in COLUMNS}
        code_at, name_at = index["Trusts (code)"], index["Trusts (name)"]
        seen: dict[int, int] = {}
        for line, values in enumerate(reader, start=2):
            result.rows_read += 1
            if trust_code:
                if code_at >= len(values) or values[code_at].strip() != trust_code:
                    continue
            elif name_at >= len(values) or values[name_at].strip().casefold() != trust_name:
                continue
            if len(values) != len(header):
                result.errors.append(
                    GiasError(
                        line,
                        "row",
                        f"{len(values)} values",
                        f"{len(header)} values, one per column",
                    )
                )
                continue
            rec = {name: values[i] for name, i in index.items()}
            est = _establishment(rec, line, result.errors)
            if est is None:
                continue
            if est.urn in seen:
                result.errors.append(
                    GiasError(
                        line, "URN", str(est.urn), f"each URN once (also on row {seen[est.urn]})"
                    )
                )
                continue
            seen[est.urn] = line
            result.establishments.append(est)
    except csv.Error as exc:
        result.errors.append(
            GiasError(result.rows_read + 2, "row", str(exc), "a well-formed CSV row")
        )
    finally:
        text.detach()  # leave the uploaded file open for its owner
    if not result.errors and not result.establishments:
        asked = ("Trusts (code)", trust_code) if trust_code else ("Trusts (name)", trust_name)
        result.errors.append(
            GiasError(None, asked[0], asked[1], f"a value found in the file's {asked[0]!r} column")
        )
    return result


# --------------------------------------------------------------------------- the plan


@dataclass
class PlannedChange:
    action: str  # "create", "update", "close", "unchanged"
    establishment: Establishment
    school: School | None = None
    changes: dict = field(default_factory=dict)  # field -> (old, new)


@dataclass
class ImportPlan:
    changes: list[PlannedChange] = field(default_factory=list)
    errors: list[GiasError] = field(default_factory=list)
    skipped_closed: int = 0  # closed in GIAS and never in the product: nothing to do

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


def plan_import(trust, establishments: list[Establishment]) -> ImportPlan:
    """What the import will do: create open establishments the trust lacks, update the ones it
    has, close those GIAS lists as closed. A URN held by another trust here refuses the file."""
    plan = ImportPlan()
    urns = [e.urn for e in establishments]
    existing = {s.urn: s for s in School.objects.filter(urn__in=urns).select_related("trust")}
    for est in establishments:
        school = existing.get(est.urn)
        if school is not None and school.trust_id != trust.pk:
            plan.errors.append(
                GiasError(
                    est.row,
                    "URN",
                    str(est.urn),
                    f"a URN not already held by another trust on this site ({school.name} is in {school.trust.name})",
                )
            )
            continue
        if school is None:
            if est.is_open:
                plan.changes.append(PlannedChange("create", est))
            else:
                plan.skipped_closed += 1
            continue
        diff = {
            name: (getattr(school, name), value)
            for name, value in est.fields.items()
            if name in UPDATABLE and getattr(school, name) != value
        }
        if not est.is_open and est.status_code == CLOSED_STATUS and school.left_trust_on is None:
            diff["left_trust_on"] = (None, est.close_date or datetime.date.today())
            plan.changes.append(PlannedChange("close", est, school, diff))
        elif diff:
            plan.changes.append(PlannedChange("update", est, school, diff))
        else:
            plan.changes.append(PlannedChange("unchanged", est, school))
    return plan


# --------------------------------------------------------------------------- links


@dataclass(frozen=True)
class Link:
    urn: int
    predecessor_urn: int
    predecessor_name: str
    link_type: str
    linked_on: datetime.date | None


LINK_COLUMNS = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]


def read_predecessor_links(binary, urns: set[int]) -> tuple[list[Link], list[GiasError]]:
    """Rows of the GIAS links file where one of `urns` names its predecessor ("Predecessor",
    "Predecessor - merged", ...: LinkURN is the earlier establishment)."""
    text, _ = _text_stream(binary)
    links, errors = [], []
    try:
        reader = csv.reader(text)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in LINK_COLUMNS if c not in header]
        if missing:
            return [], [
                GiasError(
                    1,
                    "header",
                    ", ".join(missing),
                    "GIAS's links file header: " + ", ".join(LINK_COLUMNS),
                )
            ]
        at = {name: header.index(name) for name in LINK_COLUMNS}
        for line, values in enumerate(reader, start=2):
            if len(values) < len(header) or not values[at["URN"]].strip().isdigit():
                continue
            urn = int(values[at["URN"]])
            if urn not in urns or not values[at["LinkType"]].strip().startswith("Predecessor"):
                continue
            linked_on = _date(
                values[at["LinkEstablishedDate"]], line, "LinkEstablishedDate", errors
            )
            other = _int(values[at["LinkURN"]], line, "LinkURN", errors, "a URN of six digits")
            if other is not None:
                links.append(
                    Link(
                        urn,
                        other,
                        values[at["LinkName"]].strip()[:200],
                        values[at["LinkType"]].strip()[:80],
                        linked_on,
                    )
                )
    finally:
        text.detach()
    return links, errors
