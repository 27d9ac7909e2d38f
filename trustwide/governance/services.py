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
from trustwide.audit.services import (
    audited_create,
    audited_delete,
    audited_update,
    record_event,
    snapshot,
)
from trustwide.trusts.models import AcademicYear

from . import cycle, selectors
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


def body_change_blocker(body: GoverningBody) -> str | None:
    """Why the body's kind and school can no longer change, if they cannot."""
    if body.pk and (body.meetings.exists() or body.members.exists()):
        return ("This body has meetings or members on record, so its kind and school stay as they are "
                "(their history belongs to it). Set up a new body instead.")
    return None


@transaction.atomic
def body_update(*, actor, body: GoverningBody, actor_label=None, **changes) -> GoverningBody:
    """Rename a body; its kind and school may change only while it has no meetings or members."""
    _deny(actor, may_manage(actor, body.trust), "Only trust administrators and leaders manage governing bodies.")
    school = changes.get("school", body.school)
    moved = changes.get("kind", body.kind) != body.kind or (school.pk if school else None) != body.school_id
    if moved:
        blocker = body_change_blocker(body)
        if blocker:
            raise ValidationError({"school" if "school" in changes else "kind": blocker})
    return audited_update(actor=actor, actor_label=actor_label, instance=body, **changes)


def body_delete_blocker(body: GoverningBody) -> str | None:
    n = body.meetings.count()
    if n:
        return (f"{body} has {n} meeting{'s' if n != 1 else ''} on record, so it cannot be deleted: its "
                "agendas, minutes, attendance and actions are the governance record. Only a body with no "
                "meetings (one set up in error) can be deleted.")
    return None


@transaction.atomic
def body_delete(*, actor, body: GoverningBody, actor_label=None) -> None:
    """Delete a body set up in error: refused once it has meetings. Its members go with it."""
    _deny(actor, may_manage(actor, body.trust), "Only trust administrators and leaders manage governing bodies.")
    blocker = body_delete_blocker(body)
    if blocker:
        raise ValidationError(blocker)
    for member in body.members.all():
        audited_delete(actor=actor, actor_label=actor_label, instance=member)
    audited_delete(actor=actor, actor_label=actor_label, instance=body)


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
    if changes.get("ends_on", member.ends_on) is None and BodyMember.objects.filter(
            body_id=member.body_id, user_id=member.user_id, ends_on__isnull=True).exclude(pk=member.pk).exists():
        raise ValidationError({"ends_on": f"{member.user} has another open term of office on {member.body}: "
                                          "give this one an end date."})
    return audited_update(actor=actor, actor_label=actor_label, instance=member, **changes)


@transaction.atomic
def member_remove(*, actor, member: BodyMember, actor_label=None) -> None:
    """For an entry made in error. A governor who leaves keeps their entry with an end date, so
    their attendance stays in the figures."""
    _deny(actor, may_manage(actor, member.body.trust), "Only trust administrators and leaders manage members.")
    audited_delete(actor=actor, actor_label=actor_label, instance=member)


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


def meeting_delete_blocker(meeting: Meeting) -> str | None:
    """Why a meeting cannot be deleted, if it cannot: only a planned meeting with nothing
    recorded against it (set up in error) may go; otherwise change its status."""
    if meeting.status != MeetingStatus.PLANNED:
        return (f"This meeting is {meeting.get_status_display().lower()}, so it is part of the record and "
                "cannot be deleted. Edit it instead (a meeting that will not take place can be marked cancelled).")
    recorded = [label for label, qs in (("minutes", meeting.minutes), ("attendance", meeting.attendance),
                                        ("actions", meeting.actions)) if qs.exists()]
    if recorded:
        return (f"This meeting has {' and '.join(recorded)} recorded, so it cannot be deleted. Mark it "
                "cancelled instead, or remove what was recorded first.")
    return None


@transaction.atomic
def meeting_delete(*, actor, meeting: Meeting, actor_label=None) -> None:
    _deny(actor, may_manage(actor, meeting.body.trust), "Only trust administrators and leaders delete meetings.")
    blocker = meeting_delete_blocker(meeting)
    if blocker:
        raise ValidationError(blocker)
    for item in meeting.agenda_items.all():
        audited_delete(actor=actor, actor_label=actor_label, instance=item)
    audited_delete(actor=actor, actor_label=actor_label, instance=meeting)


def may_change_agenda(user, meeting: Meeting) -> bool:
    return may_manage(user, meeting.body.trust) or may_record(user, meeting.body)


def _renumber(*, actor, actor_label, items) -> None:
    """Number the items 1..n in the order given, auditing each one that moves."""
    for number, item in enumerate(items, start=1):
        if item.number != number:
            audited_update(actor=actor, actor_label=actor_label, instance=item, number=number)


@transaction.atomic
def agenda_item_add(*, actor, meeting, kind, title, school=None, notes="", actor_label=None) -> AgendaItem:
    _deny(actor, may_change_agenda(actor, meeting), "You may not change this agenda.")
    number = (max((i.number for i in meeting.agenda_items.all()), default=0)) + 1
    return audited_create(actor=actor, actor_label=actor_label, model=AgendaItem, meeting=meeting, number=number,
                          kind=kind, title=title or dict(AgendaKind.choices)[kind], school=school, notes=notes)


@transaction.atomic
def agenda_item_update(*, actor, item: AgendaItem, position: int | None = None, actor_label=None,
                       **changes) -> AgendaItem:
    """Change an item (its school must still be the meeting's own for a local governing
    committee) and, given a position, move it there and renumber the agenda 1..n."""
    meeting = item.meeting
    _deny(actor, may_change_agenda(actor, meeting), "You may not change this agenda.")
    if "kind" in changes and not changes.get("title"):
        changes["title"] = dict(AgendaKind.choices).get(changes["kind"], "")
    item = audited_update(actor=actor, actor_label=actor_label, instance=item, **changes)
    if position is not None:
        others = list(meeting.agenda_items.exclude(pk=item.pk).order_by("number", "pk"))
        others.insert(max(0, min(position - 1, len(others))), item)
        _renumber(actor=actor, actor_label=actor_label, items=others)
    return item


@transaction.atomic
def agenda_item_delete(*, actor, item: AgendaItem, actor_label=None) -> None:
    """Remove an item; its minutes stay with the meeting (as other minutes) and the rest of
    the agenda is renumbered 1..n."""
    meeting = item.meeting
    _deny(actor, may_change_agenda(actor, meeting), "You may not change this agenda.")
    for minute in item.minutes.all():
        audited_update(actor=actor, actor_label=actor_label, instance=minute, agenda_item=None)
    audited_delete(actor=actor, actor_label=actor_label, instance=item)
    _renumber(actor=actor, actor_label=actor_label, items=list(meeting.agenda_items.order_by("number", "pk")))


@transaction.atomic
def minute_add(*, actor, meeting, kind, text, agenda_item=None, response="", raised_by=None,
               actor_label=None) -> MinuteEntry:
    _deny(actor, may_record(actor, meeting.body), "You may not minute this meeting.")
    return audited_create(actor=actor, actor_label=actor_label, model=MinuteEntry, meeting=meeting, kind=kind,
                          text=text, agenda_item=agenda_item, response=response, raised_by=raised_by)


@transaction.atomic
def minute_update(*, actor, minute: MinuteEntry, actor_label=None, **changes) -> MinuteEntry:
    _deny(actor, may_record(actor, minute.meeting.body), "You may not change this meeting's minutes.")
    return audited_update(actor=actor, actor_label=actor_label, instance=minute, **changes)


@transaction.atomic
def minute_delete(*, actor, minute: MinuteEntry, actor_label=None) -> None:
    _deny(actor, may_record(actor, minute.meeting.body), "You may not change this meeting's minutes.")
    audited_delete(actor=actor, actor_label=actor_label, instance=minute)


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


@transaction.atomic
def action_update(*, actor, action: MeetingAction, actor_label=None, **changes) -> MeetingAction:
    """Description, owner and due date; completion has its own services."""
    _deny(actor, may_record(actor, action.meeting.body), "You may not change this meeting's actions.")
    unknown = set(changes) - {"description", "owner", "due_on"}
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    return audited_update(actor=actor, actor_label=actor_label, instance=action, **changes)


@transaction.atomic
def action_reopen(*, actor, action: MeetingAction, actor_label=None) -> MeetingAction:
    allowed = may_record(actor, action.meeting.body) or (actor is not None and action.owner_id == actor.pk)
    _deny(actor, allowed, "You may not reopen this action.")
    if action.status != GovActionStatus.DONE:
        raise ValidationError("This action is already open.")
    return audited_update(actor=actor, actor_label=actor_label, instance=action, action="reopen",
                          status=GovActionStatus.OPEN, completed_on=None)


# Visits, skills, training ---------------------------------------------------------------------------

@transaction.atomic
def visit_create(*, actor, school, governor, visited_on, focus, findings, priority=None, next_steps="",
                 actor_label=None) -> GovernorVisit:
    _deny(actor, can(actor, Perm.GOVERNANCE_EDIT, school) if actor else True, "You may not record visits here.")
    return audited_create(actor=actor, actor_label=actor_label, model=GovernorVisit, school=school,
                          governor=governor, visited_on=visited_on, focus=focus, findings=findings,
                          priority=priority, next_steps=next_steps)


@transaction.atomic
def visit_update(*, actor, visit: GovernorVisit, actor_label=None, **changes) -> GovernorVisit:
    _deny(actor, can(actor, Perm.GOVERNANCE_EDIT, visit.school) if actor else True, "You may not change visits here.")
    return audited_update(actor=actor, actor_label=actor_label, instance=visit, **changes)


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


def may_delete_training(user, record: TrainingRecord) -> bool:
    return user is not None and (record.user_id == user.pk
                                 or can_in_trust(user, Perm.GOVERNANCE_EDIT, record.trust_id))


@transaction.atomic
def training_delete(*, actor, record: TrainingRecord, actor_label=None) -> None:
    _deny(actor, may_delete_training(actor, record), "You may not remove someone else's training.")
    audited_delete(actor=actor, actor_label=actor_label, instance=record)


# The annual cycle --------------------------------------------------------------------------------

@transaction.atomic
def cycle_item_create(*, actor, trust, actor_label=None, **fields) -> CycleItem:
    _deny(actor, may_define_cycle(actor, trust), "Only trust leaders define the annual cycle.")
    return audited_create(actor=actor, actor_label=actor_label, model=CycleItem, trust=trust, **fields)


SCHEDULE_FIELDS = ("per_school", "frequency", "month", "day", "days_before_term_end")


def _years_to_follow(item: CycleItem) -> list[AcademicYear]:
    """The current and later academic years that have tasks of the item: changes to an item
    reach their open tasks; earlier years stay as they were."""
    current = AcademicYear.objects.filter(trust_id=item.trust_id, is_current=True).first()
    years = AcademicYear.objects.filter(pk__in=item.tasks.values("academic_year_id")).prefetch_related("terms")
    if current is not None:
        years = years.filter(start_year__gte=current.start_year)
    return list(years)


def _redate_open_tasks(item: CycleItem, year: AcademicYear, schools, role_changed: bool) -> tuple[int, int]:
    """Replace the item's open tasks in a year by tasks on its new dates. A completed task
    covers its occurrence (no second task for it); a named assignee carries over to the new
    task of the same school and occurrence unless the role changed. Returns (removed, created)."""
    terms = list(year.terms.all())
    tasks = list(item.tasks.filter(academic_year=year))
    done = {(t.school_id, cycle.occurrence(item, t.due_on, terms)) for t in tasks if t.completed_on}
    taken = {(t.school_id, t.due_on) for t in tasks if t.completed_on}
    assignees = {} if role_changed else {
        (t.school_id, cycle.occurrence(item, t.due_on, terms)): t.assignee_id for t in tasks if not t.completed_on}
    removed, _ = item.tasks.filter(academic_year=year, completed_on__isnull=True).delete()
    new = []
    for due_on in cycle.due_dates(item, year, terms):
        for school in (schools if item.per_school else [None]):
            key = (school.pk if school else None, cycle.occurrence(item, due_on, terms))
            if key in done or (key[0], due_on) in taken:
                continue
            new.append(CycleTask(item=item, trust_id=item.trust_id, academic_year=year, school=school,
                                 role=item.role, title=item.title, due_on=due_on, assignee_id=assignees.get(key)))
    CycleTask.objects.bulk_create(new, batch_size=500)
    return removed, len(new)


@transaction.atomic
def cycle_item_update(*, actor, item: CycleItem, actor_label=None, **changes) -> CycleItem:
    """Change a line of the cycle. Its open tasks of this year (and later ones) follow: a new
    title or role is copied onto them (a new role clears their assignees, who held the old
    one); new dates replace them by tasks on the new dates. Completed tasks keep what they
    were. One audit event records what happened to the tasks."""
    _deny(actor, may_define_cycle(actor, item.trust), "Only trust leaders define the annual cycle.")
    before = snapshot(item)
    item = audited_update(actor=actor, actor_label=actor_label, instance=item, **changes)
    role_changed = before["role"] != item.role
    redate = any(before[f] != getattr(item, f) for f in SCHEDULE_FIELDS)
    if not (redate or role_changed or before["title"] != item.title):
        return item
    years = _years_to_follow(item)
    removed = created = 0
    if redate:
        schools = list(item.trust.schools.all())
        for year in years:
            r, c = _redate_open_tasks(item, year, schools, role_changed)
            removed, created = removed + r, created + c
        after = {"open_tasks_removed": removed, "open_tasks_created": created}
    else:
        fields = {"title": item.title, "role": item.role} | ({"assignee": None} if role_changed else {})
        updated = item.tasks.filter(academic_year__in=years, completed_on__isnull=True).update(**fields)
        after = {"open_tasks_updated": updated, "title": item.title, "role": item.role}
    record_event(actor=actor, action="update_tasks", instance=item, before=None, after=after,
                 actor_label=actor_label)
    return item


def cycle_item_open_tasks(item: CycleItem) -> int:
    return item.tasks.filter(completed_on__isnull=True).count()


@transaction.atomic
def cycle_item_delete(*, actor, item: CycleItem, actor_label=None) -> int:
    """Take a line out of the cycle: its open tasks go (one audit event counts them); the
    completed ones stay as the record of work done, no longer linked to an item. Returns the
    number of open tasks removed."""
    _deny(actor, may_define_cycle(actor, item.trust), "Only trust leaders define the annual cycle.")
    removed, _ = item.tasks.filter(completed_on__isnull=True).delete()
    kept = item.tasks.count()
    record_event(actor=actor, action="remove_tasks", instance=item, before=None,
                 after={"open_tasks_removed": removed, "completed_tasks_kept": kept}, actor_label=actor_label)
    audited_delete(actor=actor, actor_label=actor_label, instance=item)
    return removed


@transaction.atomic
def cycle_generate(*, actor, trust, academic_year, actor_label=None) -> int:
    """Turn the trust's cycle into dated tasks per school and role for the year. Idempotent:
    tasks that exist already are kept (with their completion). Returns the number created."""
    _deny(actor, may_define_cycle(actor, trust), "Only trust leaders generate the annual cycle.")
    if academic_year.trust_id != trust.pk:
        raise ValidationError("That academic year belongs to another trust.")
    terms = list(academic_year.terms.all())
    schools = list(trust.schools.all())
    items = list(trust.cycle_items.all())
    by_pk = {item.pk: item for item in items}
    existing = set()
    done = set()  # a completed task covers its occurrence, even if the item's dates moved since
    for item_id, school_id, due_on, completed_on in CycleTask.objects.filter(
            academic_year=academic_year, item__isnull=False).values_list("item_id", "school_id", "due_on",
                                                                         "completed_on"):
        existing.add((item_id, school_id, due_on))
        if completed_on and item_id in by_pk:
            done.add((item_id, school_id, cycle.occurrence(by_pk[item_id], due_on, terms)))
    new = []
    for item in items:
        for due_on in cycle.due_dates(item, academic_year, terms):
            for school in (schools if item.per_school else [None]):
                school_id = school.pk if school else None
                key = (item.pk, school_id, due_on)
                if key in existing or (item.pk, school_id, cycle.occurrence(item, due_on, terms)) in done:
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
    """Trust leaders; otherwise the named assignee while they hold the task's role where it
    is, or (unassigned, or the assignee has moved on) whoever holds that role there."""
    if may_define_cycle(user, task.trust):
        return True
    if task.assignee_id and selectors.assignee_holds_role(task):
        return user is not None and task.assignee_id == user.pk
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


def may_assign_at(user, trust_id: int, school=None) -> bool:
    """Who names the person for a task: trust leaders anywhere in the trust; for a school's
    tasks also its leaders (those who edit its improvement plan: headteacher, senior leaders
    and the executive headteacher of its hub)."""
    if can_in_trust(user, Perm.STRATEGIC_PLAN_EDIT, trust_id):
        return True
    return school is not None and can(user, Perm.PLAN_EDIT, school)


def may_assign(user, task: CycleTask) -> bool:
    return may_assign_at(user, task.trust_id, task.school if task.school_id else None)


@transaction.atomic
def task_assign(*, actor, task: CycleTask, assignee=None, all_open: bool = False, actor_label=None) -> int:
    """Name the person for an open task (None: back to everyone who holds its role). With
    all_open, the item's other open tasks this year at the same school are assigned too.
    The person must hold the task's role there. Returns the number of tasks changed."""
    _deny(actor, may_assign(actor, task), "Only trust leaders and the school's leaders assign tasks.")
    if task.completed_on:
        raise ValidationError("This task is done: there is nothing left to assign.")
    if assignee is not None and not selectors.role_holders(task).filter(pk=assignee.pk).exists():
        where = task.school.name if task.school_id else "the trust"
        raise ValidationError({"assignee": f"{assignee.full_name or assignee.email} does not hold the role "
                                           f"{task.get_role_display().lower()} at {where}."})
    tasks = [task]
    if all_open and task.item_id:
        tasks += list(CycleTask.objects.filter(item_id=task.item_id, academic_year_id=task.academic_year_id,
                                               school_id=task.school_id, completed_on__isnull=True)
                      .exclude(pk=task.pk).order_by("due_on"))
    new_id = assignee.pk if assignee is not None else None
    changed = 0
    for t in tasks:
        if t.assignee_id != new_id:
            audited_update(actor=actor, actor_label=actor_label, instance=t, action="assign", assignee=assignee)
            changed += 1
    return changed


@transaction.atomic
def calendar_token_rotate(*, user, actor=None) -> CalendarToken:
    """A new secret for the user's iCalendar feed; the old address stops working. ``actor`` is
    the user themselves, or whoever ended one of their memberships (access_hooks.py)."""
    token, created = CalendarToken.objects.get_or_create(user=user)
    if not created:
        before = snapshot(token)
        token.token = new_token()
        token.save()
        record_event(actor=actor or user, action="update", instance=token,
                     before={"token": "(secret)"} if before else None,
                     after={"token": "(rotated)"}, scope=(None, None))
    return token


def calendar_token_for(user) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token
