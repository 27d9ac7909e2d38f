"""Writes to the scope tree. Commands pass actor=None (recorded as the system)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.text import slugify

from trustwide.audit.services import audited_create, audited_update
from trustwide.common.services import require

from . import rules
from .models import AcademicYear, Hub, Inspection, School, Term, Trust, default_term_dates


def trust_create(*, actor, name: str, slug: str = "", actor_label: str | None = None, **fields) -> Trust:
    # Creating a trust is a deployment operation (command line or superuser), not a trust role.
    return audited_create(
        actor=actor, model=Trust, name=name, slug=slug or slugify(name)[:80],
        actor_label=actor_label, **fields,
    )


def hub_create(*, actor, trust: Trust, name: str, executive_headteacher=None, actor_label=None) -> Hub:
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    return audited_create(
        actor=actor, model=Hub, trust=trust, name=name,
        executive_headteacher=executive_headteacher, actor_label=actor_label,
    )


def school_create(*, actor, trust: Trust, actor_label=None, **fields) -> School:
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    return audited_create(actor=actor, model=School, trust=trust, actor_label=actor_label, **fields)


def school_update(*, actor, school: School, **changes) -> School:
    require(rules.may_edit_school(actor, school), rules.EDIT_SCHOOL_REFUSED)
    return audited_update(actor=actor, instance=school, **changes)


def inspection_record(
    *, actor, school: School, framework: str, inspected_on: datetime.date, grades: dict,
    report_url: str = "", actor_label=None,
) -> Inspection:
    if actor is not None:
        require(rules.may_edit_school(actor, school), rules.EDIT_SCHOOL_REFUSED)
    return audited_create(
        actor=actor, model=Inspection, school=school, framework=framework,
        inspected_on=inspected_on, grades=grades, report_url=report_url, actor_label=actor_label,
    )


@transaction.atomic
def academic_year_create(
    *, actor, trust: Trust, start_year: int, is_current: bool = False,
    term_dates: list[tuple[str, datetime.date, datetime.date]] | None = None, actor_label=None,
) -> AcademicYear:
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    if is_current:
        for year in AcademicYear.objects.filter(trust=trust, is_current=True):
            audited_update(actor=actor, instance=year, is_current=False, actor_label=actor_label)
    year = audited_create(
        actor=actor, model=AcademicYear, trust=trust, start_year=start_year,
        is_current=is_current, actor_label=actor_label,
    )
    for name, starts_on, ends_on in term_dates or default_term_dates(start_year):
        audited_create(
            actor=actor, model=Term, academic_year=year, name=name, starts_on=starts_on,
            ends_on=ends_on, number=0, actor_label=actor_label,
        )
    return year
