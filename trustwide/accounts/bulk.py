"""Bulk-add staff from a CSV: name, email, role, school URN (blank for trust roles), and optional
start and end dates. The whole file is checked before anything is written; every problem names
its row, column, value and what was expected; then all rows are added in one transaction and
new people are invited by email (on commit)."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event
from trustwide.common.services import require
from trustwide.trusts.models import School

from . import invitations, rules, services
from .models import Membership, User
from .roles import ROLE_LEVEL, Role, ScopeLevel

REQUIRED_COLUMNS = ("name", "email", "role", "school_urn")
OPTIONAL_COLUMNS = ("start_date", "end_date", "job_title")
# Header spellings people use, mapped to ours (compared lower-case, spaces as underscores).
HEADER_ALIASES = {
    "full_name": "name",
    "urn": "school_urn",
    "school": "school_urn",
    "starts_on": "start_date",
    "ends_on": "end_date",
    "title": "job_title",
}
MAX_ROWS = 2000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_ROLE_NAMES = {**{r.value: r.value for r in Role}, **{r.label.lower(): r.value for r in Role}}


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file, the header being row 1
    column: str
    value: str
    expected: str

    def __str__(self):
        shown = f" '{self.value}'" if self.value else ""
        return f"Row {self.row}, column {self.column}{shown}: {self.expected}"


@dataclass
class StaffRow:
    row: int
    full_name: str
    email: str
    role: str
    school: object | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    job_title: str = ""


class StaffFileInvalid(ValidationError):
    def __init__(self, errors: list[RowError], filename: str = ""):
        self.errors = errors
        prefix = f"{filename}: " if filename else ""
        super().__init__([f"{prefix}{e}" for e in errors])


def _parse_date(value: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _read(data: bytes) -> tuple[list[str], list[list[str]]]:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    header = [
        HEADER_ALIASES.get(h, h) for h in (c.strip().lower().replace(" ", "_") for c in rows[0])
    ]
    return header, rows[1:]


def parse_staff_csv(trust, data: bytes) -> tuple[list[StaffRow], list[RowError]]:
    """Check the whole file against the trust; returns the rows, or every error found."""
    try:
        header, body = _read(data)
    except UnicodeDecodeError:
        return [], [RowError(1, "(file)", "", "a CSV file saved as UTF-8")]
    errors: list[RowError] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        expected = (
            "columns "
            + ", ".join(REQUIRED_COLUMNS)
            + " (and optionally "
            + ", ".join(OPTIONAL_COLUMNS)
            + ")"
        )
        for column in missing:
            errors.append(
                RowError(1, column, "", f"a column called '{column}': the header needs {expected}")
            )
        for column in unknown:
            errors.append(RowError(1, column, "", f"no such column: the header needs {expected}"))
        return [], errors
    if len(body) > MAX_ROWS:
        return [], [RowError(MAX_ROWS + 2, "(file)", "", f"at most {MAX_ROWS} people in one file")]

    schools = {str(s.urn): s for s in trust.schools.all()}
    other_trust_urns = set(School.objects.exclude(trust=trust).values_list("urn", flat=True))
    seen_emails: dict[str, int] = {}
    rows: list[StaffRow] = []
    for index, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        record = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        row_errors: list[RowError] = []

        def bad(column, expected, _record=record, _row=index, _errors=row_errors):
            _errors.append(RowError(_row, column, _record.get(column, ""), expected))

        if not record["name"]:
            bad("name", "the person's full name")
        email = record["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            bad("email", "an email address, e.g. name@school.org.uk")
        else:
            if email in seen_emails:
                bad("email", f"each person once: this address is also on row {seen_emails[email]}")
            else:
                seen_emails[email] = index
        role = _ROLE_NAMES.get(record["role"].lower())
        if role is None:
            bad(
                "role",
                "one of: " + ", ".join(r.value for r in Role if ROLE_LEVEL[r] != ScopeLevel.HUB),
            )
        school = None
        urn = record["school_urn"]
        if role is not None:
            level = ROLE_LEVEL[role]
            if level == ScopeLevel.HUB:
                bad(
                    "role",
                    "a trust or school role: give an executive headteacher their hub with "
                    "'Give someone a role'",
                )
            elif level == ScopeLevel.TRUST and urn:
                bad(
                    "school_urn",
                    f"blank: {Role(role).label} is a trust role, held across the trust",
                )
            elif level == ScopeLevel.SCHOOL and not urn:
                bad(
                    "school_urn",
                    f"the URN of one of the trust's schools: {Role(role).label} is held in a school",
                )
        if urn:
            school = schools.get(urn)
            if school is None:
                if urn.isdigit() and int(urn) in other_trust_urns:
                    bad(
                        "school_urn",
                        "the URN of a school in this trust (this school is in another trust)",
                    )
                else:
                    bad(
                        "school_urn",
                        "the URN of one of this trust's schools (no school has this URN)",
                    )
        starts_on = ends_on = None
        for column in ("start_date", "end_date"):
            raw = record.get(column, "")
            if raw:
                parsed = _parse_date(raw)
                if parsed is None:
                    bad(column, "a date as YYYY-MM-DD or DD/MM/YYYY, or blank")
                elif column == "start_date":
                    starts_on = parsed
                else:
                    ends_on = parsed
        if not row_errors and role is not None:
            user = User.objects.filter(email=email).first()
            if (
                user
                and Membership.objects.active()
                .filter(user=user, trust=trust, role=role, school=school)
                .exists()
            ):
                bad("email", f"someone new to this role: {email} already holds it here")
            candidate = Membership(
                role=role,
                trust=trust,
                school=school,
                starts_on=starts_on or timezone.localdate(),
                ends_on=ends_on,
            )
            try:
                candidate.clean()
            except ValidationError as exc:
                columns = {"school": "school_urn", "ends_on": "end_date", "starts_on": "start_date"}
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        bad(columns.get(field, field), message)
        errors.extend(row_errors)
        if not row_errors:
            rows.append(
                StaffRow(
                    index,
                    record["name"],
                    email,
                    role,
                    school,
                    starts_on,
                    ends_on,
                    record.get("job_title", "")[:150],
                )
            )
    if not rows and not errors:
        errors.append(RowError(2, "(file)", "", "at least one person below the header"))
    return rows, errors


def staff_bulk_add(
    *,
    actor,
    trust,
    data: bytes,
    filename: str = "",
    base_url: str | None = None,
    actor_label=None,
    invite: bool = True,
) -> list[Membership]:
    """All or nothing: raises StaffFileInvalid listing every problem, or adds every row (in file
    order), invites each person who has no password yet (unless invite=False: the demo sets its
    own password), and records one summary event beside each row's own."""
    if actor is not None:
        require(rules.may_manage_people(actor, trust), rules.PEOPLE_REFUSED)
    rows, errors = parse_staff_csv(trust, data)
    if errors:
        raise StaffFileInvalid(errors, filename)
    created: list[Membership] = []
    with transaction.atomic():
        invited = set()
        for row in rows:
            user = services.user_get_or_create(
                actor=actor,
                trust=trust,
                email=row.email,
                full_name=row.full_name,
                job_title=row.job_title,
                actor_label=actor_label,
            )
            membership = services.membership_create(
                actor=actor,
                user=user,
                role=row.role,
                trust=trust,
                school=row.school,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                actor_label=actor_label,
            )
            created.append(membership)
            if invite and invitations.is_pending(user) and user.pk not in invited:
                invitations.invitation_send(
                    actor=actor, user=user, trust=trust, base_url=base_url, actor_label=actor_label
                )
                invited.add(user.pk)
        record_event(
            actor=actor,
            action=AuditAction.BULK_ADD,
            instance=trust,
            before=None,
            after={"file": filename, "rows": len(created), "invited": len(invited)},
            actor_label=actor_label,
            scope=(trust.pk, None),
        )
    return created
