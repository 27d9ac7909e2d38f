"""Writes to the scope tree. Commands pass actor=None (recorded as the system)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update, record_event
from trustwide.common.services import require

from . import gias, inspections, rules
from .models import (
    AcademicYear,
    Hub,
    Inspection,
    School,
    SchoolLink,
    Term,
    Trust,
    default_term_dates,
)


def trust_create(
    *, actor, name: str, slug: str = "", actor_label: str | None = None, **fields
) -> Trust:
    # Creating a trust is a deployment operation (command line or superuser), not a trust role.
    return audited_create(
        actor=actor,
        model=Trust,
        name=name,
        slug=slug or slugify(name)[:80],
        actor_label=actor_label,
        **fields,
    )


def hub_create(
    *, actor, trust: Trust, name: str, executive_headteacher=None, actor_label=None
) -> Hub:
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    return audited_create(
        actor=actor,
        model=Hub,
        trust=trust,
        name=name,
        executive_headteacher=executive_headteacher,
        actor_label=actor_label,
    )


def hub_update(*, actor, hub: Hub, actor_label=None, **changes) -> Hub:
    if actor is not None:
        require(rules.may_edit_trust(actor, hub.trust), rules.EDIT_TRUST_REFUSED)
    return audited_update(actor=actor, instance=hub, actor_label=actor_label, **changes)


def _check_urn_free(urn, *, school_pk=None) -> None:
    other = School.objects.filter(urn=urn).exclude(pk=school_pk).select_related("trust").first()
    if other is not None:
        raise ValidationError({"urn": rules.urn_taken_message(other)})


@transaction.atomic
def school_create(*, actor, trust: Trust, actor_label=None, **fields) -> School:
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    _check_urn_free(fields.get("urn"))
    return audited_create(actor=actor, model=School, trust=trust, actor_label=actor_label, **fields)


@transaction.atomic
def school_update(*, actor, school: School, actor_label=None, **changes) -> School:
    if actor is not None:
        require(rules.may_edit_school(actor, school), rules.EDIT_SCHOOL_REFUSED)
    if "urn" in changes:
        _check_urn_free(changes["urn"], school_pk=school.pk)
    return audited_update(actor=actor, instance=school, actor_label=actor_label, **changes)


@transaction.atomic
def school_close(
    *, actor, school: School, left_trust_on: datetime.date, actor_label=None
) -> School:
    """The school leaves the trust: kept with its history, SEFs, plans and pupil data, and left
    out of current pages, dashboards and roll-ups from the day after `left_trust_on`."""
    if actor is not None:
        require(rules.may_edit_trust(actor, school.trust), rules.EDIT_TRUST_REFUSED)
    if school.left_trust_on is not None:
        raise ValidationError(
            {
                "left_trust_on": f"{school.name} already left the trust on {school.left_trust_on:%-d %B %Y}."
            }
        )
    return audited_update(
        actor=actor,
        instance=school,
        action=AuditAction.CLOSE,
        left_trust_on=left_trust_on,
        actor_label=actor_label,
    )


def _ofsted_inspection(
    *, actor, school: School, est: gias.Establishment, actor_label
) -> Inspection | None:
    """GIAS's last graded inspection, when nothing as recent is recorded (2019 framework only:
    report cards from 10 November 2025 carry no single grade)."""
    grade = gias.OFSTED_GRADES.get(est.ofsted_rating.lower())
    day = est.ofsted_inspected_on
    if grade is None or day is None or day >= gias.REPORT_CARDS_FROM:
        return None
    if school.inspections.filter(inspected_on__gte=day).exists():
        return None
    return audited_create(
        actor=actor,
        model=Inspection,
        school=school,
        framework="ofsted-eif-2019",
        inspected_on=day,
        grades={"overall-effectiveness": grade},
        report_url="",
        actor_label=actor_label,
    )


@transaction.atomic
def gias_import_apply(
    *,
    actor,
    trust: Trust,
    establishments: list[gias.Establishment],
    trust_code: str = "",
    dry_run: bool = False,
    actor_label=None,
) -> gias.ImportPlan:
    """Create, update and close the trust's schools from GIAS rows (read by gias.read_establishments).
    All or nothing: any error raises ValidationError naming row, column and expected value, and
    nothing is written. Each school change is audited; one IMPORT event on the trust summarises."""
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    # Lock the trust row so two imports of the same trust run one after the other.
    Trust.objects.select_for_update().filter(pk=trust.pk).first()
    plan = gias.plan_import(trust, establishments)
    if plan.errors:
        raise ValidationError([str(e) for e in plan.errors])
    if dry_run:
        return plan
    for change in plan.changes:
        est = change.establishment
        try:
            if change.action == "create":
                change.school = audited_create(
                    actor=actor,
                    model=School,
                    trust=trust,
                    urn=est.urn,
                    joined_trust_on=est.open_date
                    if est.open_date and est.open_date > datetime.date(2010, 1, 1)
                    else None,
                    actor_label=actor_label,
                    **est.fields,
                )
            elif change.action == "update":
                audited_update(
                    actor=actor,
                    instance=change.school,
                    actor_label=actor_label,
                    **{k: new for k, (_, new) in change.changes.items()},
                )
            elif change.action == "close":
                updates = {k: new for k, (_, new) in change.changes.items()}
                audited_update(
                    actor=actor,
                    instance=change.school,
                    action=AuditAction.CLOSE,
                    actor_label=actor_label,
                    **updates,
                )
        except ValidationError as exc:
            raise ValidationError(
                [f"Row {est.row} (URN {est.urn}): {m}" for m in exc.messages]
            ) from exc
        if change.action in ("create", "update", "unchanged"):
            _ofsted_inspection(actor=actor, school=change.school, est=est, actor_label=actor_label)
    if trust_code and not trust.gias_group_uid:
        audited_update(
            actor=actor, instance=trust, gias_group_uid=trust_code, actor_label=actor_label
        )
    record_event(
        actor=actor,
        action=AuditAction.IMPORT,
        instance=trust,
        before=None,
        actor_label=actor_label,
        after={
            "source": "GIAS",
            "trust_code": trust_code,
            **{a: plan.count(a) for a in ("create", "update", "close", "unchanged")},
        },
    )
    return plan


@transaction.atomic
def gias_import_with_links(
    *, actor, trust: Trust, establishments, links, trust_code: str = "", actor_label=None
) -> gias.ImportPlan:
    """The import page's confirm: schools, then their predecessor URNs, in one transaction."""
    plan = gias_import_apply(
        actor=actor,
        trust=trust,
        establishments=establishments,
        trust_code=trust_code,
        actor_label=actor_label,
    )
    if links:
        school_links_import(actor=actor, trust=trust, links=links, actor_label=actor_label)
    return plan


@transaction.atomic
def school_links_import(
    *, actor, trust: Trust, links: list[gias.Link], actor_label=None
) -> list[SchoolLink]:
    """Record each trust school's predecessor URNs (GIAS links file); existing links are kept."""
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    schools = {s.urn: s for s in trust.schools.all()}
    have = set(
        SchoolLink.objects.filter(school__trust=trust).values_list("school__urn", "predecessor_urn")
    )
    created = []
    for link in links:
        school = schools.get(link.urn)
        if school is None or (link.urn, link.predecessor_urn) in have:
            continue
        have.add((link.urn, link.predecessor_urn))
        created.append(
            audited_create(
                actor=actor,
                model=SchoolLink,
                school=school,
                predecessor_urn=link.predecessor_urn,
                predecessor_name=link.predecessor_name,
                link_type=link.link_type,
                linked_on=link.linked_on,
                actor_label=actor_label,
            )
        )
    return created


def school_link_create(
    *,
    actor,
    school: School,
    predecessor_urn: int,
    link_type: str = "Predecessor",
    linked_on=None,
    predecessor_name: str = "",
    actor_label=None,
) -> SchoolLink:
    if actor is not None:
        require(rules.may_edit_trust(actor, school.trust), rules.EDIT_TRUST_REFUSED)
    if predecessor_urn == school.urn:
        raise ValidationError({"predecessor_urn": "A school cannot be its own predecessor."})
    return audited_create(
        actor=actor,
        model=SchoolLink,
        school=school,
        predecessor_urn=predecessor_urn,
        link_type=link_type,
        linked_on=linked_on,
        predecessor_name=predecessor_name,
        actor_label=actor_label,
    )


@transaction.atomic
def inspection_record(
    *,
    actor,
    school: School,
    framework: str,
    inspected_on: datetime.date,
    grades: dict,
    report_url: str = "",
    kind: str = inspections.FULL_INSPECTION,
    partial: bool | None = None,
    actor_label=None,
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
        framework,
        grades,
        inspected_on=inspected_on,
        kind=kind,
        has_early_years=school.has_early_years,
        has_sixth_form=school.has_sixth_form,
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
        actor=actor,
        model=Inspection,
        school=school,
        framework=framework,
        kind=kind,
        inspected_on=inspected_on,
        grades=stored,
        report_url=report_url,
        actor_label=actor_label,
    )


@transaction.atomic
def academic_year_create(
    *,
    actor,
    trust: Trust,
    start_year: int,
    is_current: bool = False,
    term_dates: list[tuple] | None = None,
    actor_label=None,
    half_terms: bool = False,
) -> AcademicYear:
    """The year and its three terms: term_dates rows are (name, starts, ends) or, with the
    half-term break, (name, starts, ends, first half ends, second half starts)."""
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    if is_current:
        for year in AcademicYear.objects.filter(trust=trust, is_current=True):
            audited_update(actor=actor, instance=year, is_current=False, actor_label=actor_label)
    year = audited_create(
        actor=actor,
        model=AcademicYear,
        trust=trust,
        start_year=start_year,
        is_current=is_current,
        half_terms=half_terms,
        actor_label=actor_label,
    )
    for name, starts_on, ends_on, *half in term_dates or default_term_dates(start_year):
        audited_create(
            actor=actor,
            model=Term,
            academic_year=year,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            first_half_ends_on=half[0] if half else None,
            second_half_starts_on=half[1] if half else None,
            number=0,
            actor_label=actor_label,
        )
    return year
