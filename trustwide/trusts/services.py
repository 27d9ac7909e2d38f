"""Writes to the scope tree. Commands pass actor=None (recorded as the system)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from trustwide.audit.services import audited_create, audited_update
from trustwide.common.services import require

from . import inspections, rules
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


@transaction.atomic
def inspection_record(
    *, actor, school: School, framework: str, inspected_on: datetime.date, grades: dict,
    report_url: str = "", kind: str = inspections.FULL_INSPECTION, partial: bool | None = None, actor_label=None,
) -> Inspection:
    """Record an Ofsted inspection or monitoring visit. Grades are validated against the
    framework (areas, scale, the school's early years and sixth form) and stored as labels
    keyed by the framework's area codes; a monitoring visit may carry no grades. A person
    recording a full inspection grades every area; system imports (actor None, e.g. GIAS's
    overall grade) may be partial unless told otherwise."""
    if actor is not None:
        require(rules.may_record_inspection(actor, school), rules.RECORD_INSPECTION_REFUSED)
    grades = {k: v for k, v in (grades or {}).items() if v}
    problems = inspections.grade_problems(
        framework, grades, inspected_on=inspected_on, kind=kind,
        has_early_years=school.has_early_years, has_sixth_form=school.has_sixth_form,
        partial=(actor is None) if partial is None else partial,
    )
    if inspected_on and inspected_on > datetime.date.today():
        problems["inspected_on"] = "The inspection date is in the future."
    if problems:
        raise ValidationError(problems)
    spec = inspections.FRAMEWORKS[framework]
    stored = {}
    for key, value in grades.items():
        area = spec.area(key)
        stored[area.code] = area.grade(value).label
    return audited_create(
        actor=actor, model=Inspection, school=school, framework=framework, kind=kind,
        inspected_on=inspected_on, grades=stored, report_url=report_url, actor_label=actor_label,
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
