"""Write path for STAR projects: rule, validation and audit in one transaction.

draft -> running (intent and implementation written) -> evaluated (findings, impact, rating);
an evaluated project may be marked exemplary by a leader (published trust-wide) and withdrawn."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_delete, audited_update
from trustwide.common import steps
from trustwide.common.services import require

from . import rules
from .models import StarProject, StarStatus, StarTeamMember

FIELDS = ("title", "priority", "objective", "question", "baseline", "method", "measures")
# Needed before a project runs: its intent and its implementation.
TO_START = {
    "question": "the enquiry question",
    "baseline": "the baseline",
    "method": "the method",
    "measures": "the measures",
}
TO_EVALUATE = {
    "findings": "the findings",
    "impact": "the impact statement",
    "impact_rating": "a rating of impact",
}


def _missing(values: dict, wanted: dict[str, str], doing: str) -> None:
    missing = {
        k: f"Write {label} before you {doing}."
        for k, label in wanted.items()
        if not (values.get(k) or "").strip()
    }
    if missing:
        raise ValidationError(missing)


def _check_people(*, school, lead, members) -> list:
    if not rules.is_school_staff(lead, school):
        raise ValidationError({"lead": rules.LEAD_NOT_STAFF})
    members = [m for m in dict.fromkeys(members or []) if m.pk != lead.pk]
    outsiders = [m.full_name or m.email for m in members if not rules.is_school_staff(m, school)]
    if outsiders:
        raise ValidationError(
            {"members": rules.MEMBER_NOT_STAFF.format(names=", ".join(outsiders))}
        )
    return members


def _year_of(priority):
    if priority is None:
        raise ValidationError(
            {"priority": "Link the project to a priority of your school's plan (SDP or BDP)."}
        )
    return priority.plan.academic_year


def _set_team(*, actor, project, members, actor_label) -> None:
    current = {m.user_id: m for m in project.team.all()}
    wanted = {m.pk for m in members}
    for user_id, place in current.items():
        if user_id not in wanted:
            audited_delete(actor=actor, actor_label=actor_label, instance=place)
    for member in members:
        if member.pk not in current:
            audited_create(
                actor=actor,
                actor_label=actor_label,
                model=StarTeamMember,
                project=project,
                user=member,
            )


@transaction.atomic
def star_project_create(
    *, actor, school, lead, members=(), actor_label=None, **fields
) -> StarProject:
    """A new project in draft, led by `lead` (a member of the school's staff)."""
    if actor is not None:
        require(rules.may_start_project(actor, school), rules.RUN_REFUSED)
        if lead.pk != actor.pk:
            # Starting a project for a colleague is for the school's leaders.
            require(rules.may_edit_school_projects(actor, school), rules.EDIT_REFUSED)
    members = _check_people(school=school, lead=lead, members=members)
    fields = {k: v for k, v in fields.items() if k in FIELDS}
    project = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=StarProject,
        school=school,
        academic_year=_year_of(fields.get("priority")),
        lead=lead,
        created_by=actor,
        **fields,
    )
    _set_team(actor=actor, project=project, members=members, actor_label=actor_label)
    return project


def _require_edit(actor, project) -> None:
    if actor is not None:
        require(rules.may_edit(actor, project), rules.EDIT_REFUSED)


@transaction.atomic
def star_project_update(
    *, actor, project: StarProject, lead=None, members=None, actor_label=None, **changes
) -> StarProject:
    """Change a draft or running project: its write-up, link, lead or team."""
    _require_edit(actor, project)
    if project.status == StarStatus.EVALUATED:
        raise ValidationError(
            "An evaluated project is on record as it was evaluated: its intent and "
            "implementation no longer change."
        )
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    lead = lead or project.lead
    if lead.pk != project.lead_id and actor is not None:
        require(rules.may_edit_school_projects(actor, project.school), rules.EDIT_REFUSED)
    team = _check_people(
        school=project.school,
        lead=lead,
        members=list(members) if members is not None else [m.user for m in project.team.all()],
    )
    if project.status == StarStatus.RUNNING:
        _missing(
            {**{k: getattr(project, k) for k in TO_START}, **changes}, TO_START, "keep it running"
        )
    if "priority" in changes:
        changes["academic_year"] = _year_of(changes["priority"])
    project = audited_update(
        actor=actor, actor_label=actor_label, instance=project, lead=lead, **changes
    )
    _set_team(actor=actor, project=project, members=team, actor_label=actor_label)
    return project


@transaction.atomic
def star_project_start(*, actor, project: StarProject, actor_label=None) -> StarProject:
    """draft -> running, once its intent (question, baseline) and implementation (method,
    measures) are written and it serves a priority."""
    _require_edit(actor, project)
    if project.status != StarStatus.DRAFT:
        raise ValidationError(f"This project is already {project.get_status_display().lower()}.")
    _missing({k: getattr(project, k) for k in TO_START}, TO_START, "start the project")
    _year_of(project.priority)
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=project,
        action=AuditAction.START,
        status=StarStatus.RUNNING,
        started_at=timezone.now(),
    )


@transaction.atomic
def star_project_evaluate(
    *, actor, project: StarProject, findings: str, impact: str, impact_rating: str, actor_label=None
) -> StarProject:
    """running -> evaluated (in the October step of the cycle): the findings, the impact against
    the baseline and a rating of impact. An evaluation may be corrected until the project is
    published as an exemplar."""
    _require_edit(actor, project)
    if project.status == StarStatus.DRAFT:
        raise ValidationError("A draft project cannot be evaluated: start it (and run it) first.")
    if project.is_exemplary:
        raise ValidationError(
            "This project is published as an exemplar: withdraw it from the exemplars before "
            "changing its evaluation."
        )
    values = {"findings": findings, "impact": impact, "impact_rating": impact_rating}
    _missing(values, TO_EVALUATE, "evaluate the project")
    project = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=project,
        action=AuditAction.EVALUATE,
        status=StarStatus.EVALUATED,
        evaluated_at=timezone.now(),
        evaluated_by=actor,
        findings=findings.strip(),
        impact=impact.strip(),
        impact_rating=impact_rating,
    )
    _step_if_all_evaluated(project, actor, actor_label)
    return project


def _step_if_all_evaluated(project: StarProject, actor, actor_label) -> None:
    """The cycle's "staff evaluate their STAR projects" step is done for the school when its
    last running project of this project's year or an earlier one is evaluated (a project of a
    later year still running is next year's)."""
    still_running = StarProject.objects.filter(
        school_id=project.school_id,
        status=StarStatus.RUNNING,
        academic_year__start_year__lte=project.academic_year.start_year,
    ).exists()
    if not still_running:
        steps.step_done(
            trust=project.school.trust,
            school=project.school,
            event=steps.STAR_PROJECTS_EVALUATED,
            actor=actor,
            actor_label=actor_label,
        )


@transaction.atomic
def star_project_mark_exemplary(
    *, actor, project: StarProject, note: str, actor_label=None
) -> StarProject:
    """Publish an evaluated project to the whole trust as a best-practice exemplar."""
    if actor is not None:
        require(rules.may_mark_exemplary(actor, project), rules.EXEMPLARY_REFUSED)
    if project.status != StarStatus.EVALUATED:
        raise ValidationError(
            "Only an evaluated project can be marked exemplary: it needs its findings and "
            "impact first."
        )
    if project.is_exemplary:
        raise ValidationError("This project is already published as an exemplar.")
    if not (note or "").strip():
        raise ValidationError({"note": "Say what makes the project exemplary."})
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=project,
        action=AuditAction.MARK_EXEMPLARY,
        exemplary_at=timezone.now(),
        exemplary_by=actor,
        exemplary_note=note.strip(),
    )


@transaction.atomic
def star_project_withdraw_exemplar(*, actor, project: StarProject, actor_label=None) -> StarProject:
    if actor is not None:
        require(rules.may_mark_exemplary(actor, project), rules.EXEMPLARY_REFUSED)
    if not project.is_exemplary:
        raise ValidationError("This project is not published as an exemplar.")
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=project,
        action=AuditAction.WITHDRAW_EXEMPLAR,
        exemplary_at=None,
        exemplary_by=None,
        exemplary_note="",
    )


@transaction.atomic
def star_project_delete(*, actor, project: StarProject, actor_label=None) -> None:
    """Delete a draft entered in error (with its team); a project that has run stays on record."""
    _require_edit(actor, project)
    if project.status != StarStatus.DRAFT:
        raise ValidationError(
            "Only a draft can be deleted: this project has run and stays on record."
        )
    for place in list(project.team.all()):
        audited_delete(actor=actor, actor_label=actor_label, instance=place)
    audited_delete(actor=actor, actor_label=actor_label, instance=project)
