"""Write path for governance and the annual cycle: permission through trustwide.access,
validation with full_clean, audit in the same transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trustwide.access import Perm, can, can_in_trust
from trustwide.access.scope import grants_with
from trustwide.accounts.models import Membership
from trustwide.audit.services import audited_create, audited_update, record_event, snapshot

from . import cycle
from .models import (
    STANDARD_ITEMS,
    AgendaItem,
    AgendaKind,
    Attendance,
    BodyMember,
    CalendarToken,
    CycleItem,
    CycleTask,
    GovActionStatus,
    GoverningBody,
    GovernorVisit,
    Meeting,
    MeetingAction,
    MeetingStatus,
    MinuteEntry,
    SkillRating,
    TrainingRecord,
    new_token,
)
from .skills import SKILL_CODES

# Who may do what -------------------------------------------------------------------------------

def may_manage(user, trust) -> bool:
    """Bodies, members and meetings: trust administrators and trust leaders."""
    return can_in_trust(user, Perm.GOVERNANCE_EDIT, trust.pk)


def may_record(user, body: GoverningBody) -> bool:
    """Minutes, attendance and actions: governance editors of the body's school (local
    governors, school leaders) or, for trust bodies, at trust level."""
    if body.school_id:
        return can(user, Perm.GOVERNANCE_EDIT, body.school)
    return can_in_trust(user, Perm.GOVERNANCE_EDIT, body.trust_id)


def may_define_cycle(user, trust) -> bool:
    """The annual cycle is defined by trust leaders (strategic_plan.edit)."""
    return can_in_trust(user, Perm.STRATEGIC_PLAN_EDIT, trust.pk)


def _deny(actor, allowed: bool, message: str) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied(message)


# Bodies and members ------------------------------------------------------------------------------

@transaction.atomic
def body_create(*, actor, trust, kind, name, school=None, actor_label=None) -> GoverningBody:
    _deny(actor, may_manage(actor, trust), "Only trust administrators and leaders manage governing bodies.")
    return audited_create(actor=actor, actor_label=actor_label, model=GoverningBody, trust=trust, kind=kind,
                          name=name, school=school)


def _covers(user, body: GoverningBody, on: datetime.date) -> bool:
    memberships = Membership.objects.active(on).filter(user=user, trust_id=body.trust_id)
    if body.school_id:
        memberships = memberships.filter(Q(school_id=body.school_id) | Q(hub_id=body.school.hub_id, hub__isnull=False)
                                         | Q(school__isnull=True, hub__isnull=True))
    else:
        memberships = memberships.filter(school__isnull=True, hub__isnull=True)
    return memberships.exists()


@transaction.atomic
def member_add(*, actor, body, user, role, starts_on, ends_on=None, link_roles=(), actor_label=None) -> BodyMember:
    if body is None:
        raise ValidationError({"body": "Choose the governing body this governor sits on."})
    _deny(actor, may_manage(actor, body.trust), "Only trust administrators and leaders manage members.")
    if user is None:
        raise ValidationError({"user": "Choose the person."})
    if not _covers(user, body, starts_on or datetime.date.today()):
        where = body.school.name if body.school_id else body.trust.name
        raise ValidationError({"user": f"{user} holds no current role at {where}: add their membership (e.g. local governor or trustee) first."})
    if BodyMember.objects.filter(body=body, user=user, ends_on__isnull=True).exists():
        raise ValidationError({"user": f"{user} is already a member of {body}."})
    return audited_create(actor=actor, actor_label=actor_label, model=BodyMember, body=body, user=user, role=role,
                          starts_on=starts_on, ends_on=ends_on, link_roles=list(link_roles))


@transaction.atomic
def member_update(*, actor, member: BodyMember, actor_label=None, **changes) -> BodyMember:
    _deny(actor, may_manage(actor, member.body.trust), "Only trust administrators and leaders manage members.")
    if "link_roles" in changes:
        changes["link_roles"] = list(changes["link_roles"])
    return audited_update(actor=actor, actor_label=actor_label, instance=member, **changes)


# Meetings -----------------------------------------------------------------------------------------

@transaction.atomic
def meeting_create(*, actor, body, held_on, title, location="", status="planned", standard_items=(),
                   school=None, actor_label=None) -> Meeting:
    """A meeting with its agenda built from the chosen standard items, numbered in order."""
    _deny(actor, may_manage(actor, body.trust), "Only trust administrators and leaders set up meetings.")
    meeting = audited_create(actor=actor, actor_label=actor_label, model=Meeting, body=body, held_on=held_on,
                             title=title, location=location, status=status)
    labels = dict(AgendaKind.choices)
    data_school = school if school is not None else body.school
    for number, kind in enumerate([k for k in STANDARD_ITEMS if k in set(standard_items)], start=1):
        audited_create(actor=actor, actor_label=actor_label, model=AgendaItem, meeting=meeting, number=number,
                       kind=kind, title=labels[kind],
                       school=data_school if kind in (AgendaKind.PLAN_RAG, AgendaKind.KPIS, AgendaKind.RISKS,
                                                      AgendaKind.HEADS_REPORT, AgendaKind.POLICIES_DUE) else None)
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting, actor_label=None, **changes) -> Meeting:
    _deny(actor, may_manage(actor, meeting.body.trust) or may_record(actor, meeting.body),
          "You may not change this meeting.")
    return audited_update(actor=actor, actor_label=actor_label, instance=meeting, **changes)


@transaction.atomic
def agenda_item_add(*, actor, meeting, kind, title, school=None, notes="", actor_label=None) -> AgendaItem:
    _deny(actor, may_manage(actor, meeting.body.trust) or may_record(actor, meeting.body),
          "You may not change this agenda.")
    number = (max((i.number for i in meeting.agenda_items.all()), default=0)) + 1
    return audited_create(actor=actor, actor_label=actor_label, model=AgendaItem, meeting=meeting, number=number,
                          kind=kind, title=title or dict(AgendaKind.choices)[kind], school=school, notes=notes)


@transaction.atomic
def minute_add(*, actor, meeting, kind, text, agenda_item=None, response="", raised_by=None,
               actor_label=None) -> MinuteEntry:
    _deny(actor, may_record(actor, meeting.body), "You may not minute this meeting.")
    return audited_create(actor=actor, actor_label=actor_label, model=MinuteEntry, meeting=meeting, kind=kind,
                          text=text, agenda_item=agenda_item, response=response, raised_by=raised_by)


@transaction.atomic
def attendance_record(*, actor, meeting, statuses: dict, actor_label=None) -> list[Attendance]:
    """statuses: user -> AttendanceStatus. Members not given keep their record."""
    _deny(actor, may_record(actor, meeting.body), "You may not record attendance for this meeting.")
    member_ids = set(meeting.body.members.values_list("user_id", flat=True))
    existing = {a.user_id: a for a in meeting.attendance.all()}
    saved = []
    for user, status in statuses.items():
        if user.pk not in member_ids:
            raise ValidationError(f"{user} is not a member of {meeting.body}.")
        if user.pk in existing:
            saved.append(audited_update(actor=actor, actor_label=actor_label, instance=existing[user.pk], status=status))
        else:
            saved.append(audited_create(actor=actor, actor_label=actor_label, model=Attendance, meeting=meeting,
                                        user=user, status=status))
    # Recording who attended a planned meeting that has taken place means it was held: its
    # attendance then counts in the participation figures.
    if statuses and meeting.status == MeetingStatus.PLANNED and meeting.held_on <= timezone.localdate():
        audited_update(actor=actor, actor_label=actor_label, instance=meeting, action="held", status=MeetingStatus.HELD)
    return saved


@transaction.atomic
def action_add(*, actor, meeting, description, owner=None, due_on=None, actor_label=None) -> MeetingAction:
    _deny(actor, may_record(actor, meeting.body), "You may not record actions for this meeting.")
    return audited_create(actor=actor, actor_label=actor_label, model=MeetingAction, meeting=meeting,
                          description=description, owner=owner, due_on=due_on)


@transaction.atomic
def action_complete(*, actor, action: MeetingAction, on=None, actor_label=None) -> MeetingAction:
    allowed = may_record(actor, action.meeting.body) or (actor is not None and action.owner_id == actor.pk)
    _deny(actor, allowed, "You may not complete this action.")
    return audited_update(actor=actor, actor_label=actor_label, instance=action, status=GovActionStatus.DONE,
                          completed_on=on or datetime.date.today())


# Visits, skills, training ---------------------------------------------------------------------------

@transaction.atomic
def visit_create(*, actor, school, governor, visited_on, focus, findings, priority=None, next_steps="",
                 actor_label=None) -> GovernorVisit:
    _deny(actor, can(actor, Perm.GOVERNANCE_EDIT, school) if actor else True, "You may not record visits here.")
    return audited_create(actor=actor, actor_label=actor_label, model=GovernorVisit, school=school,
                          governor=governor, visited_on=visited_on, focus=focus, findings=findings,
                          priority=priority, next_steps=next_steps)


def is_governor_in(user, trust) -> bool:
    return BodyMember.objects.filter(user=user, body__trust=trust, ends_on__isnull=True).exists() or \
        BodyMember.objects.filter(user=user, body__trust=trust, ends_on__gte=datetime.date.today()).exists()


@transaction.atomic
def skills_save(*, actor, user, trust, start_year: int, ratings: dict[str, int], actor_label=None) -> int:
    """The user's own self-assessment for the year: skill -> 1..4. Returns the number saved."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied("Governors record their own skills audit.")
    if not is_governor_in(user, trust):
        raise ValidationError("Only members of a governing body complete the skills audit.")
    unknown = set(ratings) - SKILL_CODES
    if unknown:
        raise ValidationError(f"Unknown skills: {', '.join(sorted(unknown))}.")
    existing = {r.skill: r for r in SkillRating.objects.filter(trust=trust, user=user, start_year=start_year)}
    for skill, rating in ratings.items():
        if skill in existing:
            audited_update(actor=actor, actor_label=actor_label, instance=existing[skill], rating=rating)
        else:
            audited_create(actor=actor, actor_label=actor_label, model=SkillRating, trust=trust, user=user,
                           start_year=start_year, skill=skill, rating=rating)
    return len(ratings)


@transaction.atomic
def training_add(*, actor, user, trust, title, completed_on, provider="", hours=1, skill="",
                 actor_label=None) -> TrainingRecord:
    if actor is not None and actor.pk != user.pk and not may_manage(actor, trust):
        raise PermissionDenied("You may not add training for someone else.")
    if skill and skill not in SKILL_CODES:
        raise ValidationError({"skill": "Unknown skill."})
    return audited_create(actor=actor, actor_label=actor_label, model=TrainingRecord, trust=trust, user=user,
                          title=title, completed_on=completed_on, provider=provider, hours=hours, skill=skill)


# The annual cycle --------------------------------------------------------------------------------

@transaction.atomic
def cycle_item_create(*, actor, trust, actor_label=None, **fields) -> CycleItem:
    _deny(actor, may_define_cycle(actor, trust), "Only trust leaders define the annual cycle.")
    return audited_create(actor=actor, actor_label=actor_label, model=CycleItem, trust=trust, **fields)


@transaction.atomic
def cycle_generate(*, actor, trust, academic_year, actor_label=None) -> int:
    """Turn the trust's cycle into dated tasks per school and role for the year. Idempotent:
    tasks that exist already are kept (with their completion). Returns the number created."""
    _deny(actor, may_define_cycle(actor, trust), "Only trust leaders generate the annual cycle.")
    if academic_year.trust_id != trust.pk:
        raise ValidationError("That academic year belongs to another trust.")
    terms = list(academic_year.terms.all())
    schools = list(trust.schools.all())
    existing = set(CycleTask.objects.filter(academic_year=academic_year)
                   .values_list("item_id", "school_id", "due_on"))
    new = []
    for item in trust.cycle_items.all():
        for due_on in cycle.due_dates(item, academic_year, terms):
            for school in (schools if item.per_school else [None]):
                key = (item.pk, school.pk if school else None, due_on)
                if key in existing:
                    continue
                existing.add(key)
                new.append(CycleTask(item=item, trust=trust, academic_year=academic_year, school=school,
                                     role=item.role, title=item.title, due_on=due_on))
    CycleTask.objects.bulk_create(new, batch_size=500)
    # One audit event for the batch: the generation itself.
    record_event(actor=actor, action="create", instance=academic_year, before=None,
                 after={"cycle_tasks_created": len(new)}, actor_label=actor_label)
    return len(new)


def may_complete(user, task: CycleTask) -> bool:
    if may_define_cycle(user, task.trust):
        return True
    for g in grants_with(user, Perm.TRUST_VIEW):
        if g.role != task.role or g.trust_id != task.trust_id:
            continue
        if g.level == "trust" or (task.school_id and (
                (g.level == "hub" and task.school.hub_id == g.hub_id) or g.school_id == task.school_id)):
            return True
    return False


@transaction.atomic
def task_complete(*, actor, task: CycleTask, on=None, actor_label=None) -> CycleTask:
    _deny(actor, may_complete(actor, task), "This task is for someone else.")
    return audited_update(actor=actor, actor_label=actor_label, instance=task,
                          completed_on=on or datetime.date.today(), completed_by=actor)


@transaction.atomic
def calendar_token_rotate(*, user) -> CalendarToken:
    """A new secret for the user's iCalendar feed; the old address stops working."""
    token, created = CalendarToken.objects.get_or_create(user=user)
    if not created:
        before = snapshot(token)
        token.token = new_token()
        token.save()
        record_event(actor=user, action="update", instance=token, before={"token": "(secret)"} if before else None,
                     after={"token": "(rotated)"}, scope=(None, None))
    return token


def calendar_token_for(user) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token
