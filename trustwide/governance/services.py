"""Write path for governance and the annual cycle: permission through trustwide.access,
validation with full_clean, audit in the same transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trustwide.accounts.models import Membership
from trustwide.audit.models import AuditAction
from trustwide.audit.services import (
    audited_bulk_create,
    audited_create,
    audited_delete,
    audited_update,
    record_event,
    snapshot,
)
from trustwide.trusts.calendar import calendars_for
from trustwide.trusts.models import AcademicYear

from . import cycle, rules, selectors
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
    MeetingPapers,
    MeetingStatus,
    MinuteEntry,
    SkillRating,
    TrainingRecord,
    new_token,
)
from .rules import (  # the decisions live in rules.py; imported by name where services use them
    is_governor_in,
    may_add_training,
    may_assign,
    may_change_agenda,
    may_change_meeting,
    may_close_action,
    may_complete,
    may_define_cycle,
    may_delete_training,
    may_manage,
    may_record,
    may_record_visits,
)
from .skills import SKILL_CODES


def _deny(actor, allowed: bool, message: str) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied(message)


# Bodies and members ------------------------------------------------------------------------------


@transaction.atomic
def body_create(*, actor, trust, kind, name, school=None, actor_label=None) -> GoverningBody:
    _deny(actor, may_manage(actor, trust), rules.MANAGE_REFUSED)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=GoverningBody,
        trust=trust,
        kind=kind,
        name=name,
        school=school,
    )


def body_change_blocker(body: GoverningBody) -> str | None:
    """Why the body's kind and school can no longer change, if they cannot."""
    if body.pk and (body.meetings.exists() or body.members.exists()):
        return (
            "This body has meetings or members on record, so its kind and school stay as they are "
            "(their history belongs to it). Set up a new body instead."
        )
    return None


@transaction.atomic
def body_update(*, actor, body: GoverningBody, actor_label=None, **changes) -> GoverningBody:
    """Rename a body; its kind and school may change only while it has no meetings or members."""
    _deny(actor, may_manage(actor, body.trust), rules.MANAGE_REFUSED)
    school = changes.get("school", body.school)
    moved = (
        changes.get("kind", body.kind) != body.kind
        or (school.pk if school else None) != body.school_id
    )
    if moved:
        blocker = body_change_blocker(body)
        if blocker:
            raise ValidationError({"school" if "school" in changes else "kind": blocker})
    return audited_update(actor=actor, actor_label=actor_label, instance=body, **changes)


def body_delete_blocker(body: GoverningBody) -> str | None:
    n = body.meetings.count()
    if n:
        return (
            f"{body} has {n} meeting{'s' if n != 1 else ''} on record, so it cannot be deleted: its "
            "agendas, minutes, attendance and actions are the governance record. Only a body with no "
            "meetings (one set up in error) can be deleted."
        )
    return None


@transaction.atomic
def body_delete(*, actor, body: GoverningBody, actor_label=None) -> None:
    """Delete a body set up in error: refused once it has meetings. Its members go with it."""
    _deny(actor, may_manage(actor, body.trust), rules.MANAGE_REFUSED)
    blocker = body_delete_blocker(body)
    if blocker:
        raise ValidationError(blocker)
    for member in body.members.all():
        audited_delete(actor=actor, actor_label=actor_label, instance=member)
    audited_delete(actor=actor, actor_label=actor_label, instance=body)


def _covers(user, body: GoverningBody, on: datetime.date) -> bool:
    memberships = Membership.objects.active(on).filter(user=user, trust_id=body.trust_id)
    if body.school_id:
        memberships = memberships.filter(
            Q(school_id=body.school_id)
            | Q(hub_id=body.school.hub_id, hub__isnull=False)
            | Q(school__isnull=True, hub__isnull=True)
        )
    else:
        memberships = memberships.filter(school__isnull=True, hub__isnull=True)
    return memberships.exists()


@transaction.atomic
def member_add(
    *, actor, body, user, role, starts_on, ends_on=None, link_roles=(), actor_label=None
) -> BodyMember:
    if body is None:
        raise ValidationError({"body": "Choose the governing body this governor sits on."})
    _deny(actor, may_manage(actor, body.trust), rules.MANAGE_REFUSED)
    if user is None:
        raise ValidationError({"user": "Choose the person."})
    if not _covers(user, body, starts_on or datetime.date.today()):
        where = body.school.name if body.school_id else body.trust.name
        raise ValidationError(
            {
                "user": f"{user} holds no current role at {where}: add their membership (e.g. local governor or trustee) first."
            }
        )
    if BodyMember.objects.filter(body=body, user=user, ends_on__isnull=True).exists():
        raise ValidationError({"user": f"{user} is already a member of {body}."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=BodyMember,
        body=body,
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        link_roles=list(link_roles),
    )


@transaction.atomic
def member_update(*, actor, member: BodyMember, actor_label=None, **changes) -> BodyMember:
    _deny(actor, may_manage(actor, member.body.trust), rules.MANAGE_REFUSED)
    if "link_roles" in changes:
        changes["link_roles"] = list(changes["link_roles"])
    if (
        changes.get("ends_on", member.ends_on) is None
        and BodyMember.objects.filter(
            body_id=member.body_id, user_id=member.user_id, ends_on__isnull=True
        )
        .exclude(pk=member.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "ends_on": f"{member.user} has another open term of office on {member.body}: "
                "give this one an end date."
            }
        )
    return audited_update(actor=actor, actor_label=actor_label, instance=member, **changes)


@transaction.atomic
def member_remove(*, actor, member: BodyMember, actor_label=None) -> None:
    """For an entry made in error. A governor who leaves keeps their entry with an end date, so
    their attendance stays in the figures."""
    _deny(actor, may_manage(actor, member.body.trust), rules.MANAGE_REFUSED)
    audited_delete(actor=actor, actor_label=actor_label, instance=member)


# Meetings -----------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor,
    body,
    held_on,
    title,
    location="",
    status="planned",
    standard_items=(),
    school=None,
    actor_label=None,
) -> Meeting:
    """A meeting with its agenda built from the chosen standard items, numbered in order."""
    _deny(actor, may_manage(actor, body.trust), rules.MANAGE_REFUSED)
    meeting = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Meeting,
        body=body,
        held_on=held_on,
        title=title,
        location=location,
        status=status,
    )
    labels = dict(AgendaKind.choices)
    data_school = school if school is not None else body.school
    for number, kind in enumerate([k for k in STANDARD_ITEMS if k in set(standard_items)], start=1):
        audited_create(
            actor=actor,
            actor_label=actor_label,
            model=AgendaItem,
            meeting=meeting,
            number=number,
            kind=kind,
            title=labels[kind],
            school=data_school
            if kind
            in (
                AgendaKind.PLAN_RAG,
                AgendaKind.KPIS,
                AgendaKind.RISKS,
                AgendaKind.HEADS_REPORT,
                AgendaKind.POLICIES_DUE,
            )
            else None,
        )
    _after_status(actor, actor_label, meeting, MeetingStatus.PLANNED)
    return meeting


def _after_status(actor, actor_label, meeting, was: str) -> None:
    """A meeting just held gets its papers frozen; a new planned board meeting takes the
    conflicts flagged by committees that found no board meeting (services_lgc)."""
    from . import services_lgc

    if meeting.status == MeetingStatus.HELD and was != MeetingStatus.HELD:
        services_lgc.papers_freeze(actor=actor, meeting=meeting, actor_label=actor_label)
    elif meeting.status == MeetingStatus.PLANNED and was == MeetingStatus.PLANNED:
        services_lgc.attach_pending_conflicts(actor=actor, meeting=meeting, actor_label=actor_label)


@transaction.atomic
def meeting_update(*, actor, meeting, actor_label=None, **changes) -> Meeting:
    _deny(actor, may_change_meeting(actor, meeting), rules.MEETING_REFUSED)
    was = meeting.status
    held_on = changes.get("held_on", meeting.held_on)
    if changes.get("status") == MeetingStatus.HELD != was and held_on > timezone.localdate():
        raise ValidationError(
            {
                "status": f"This meeting is dated {held_on:%d/%m/%Y}: it can be marked held on or "
                "after that day, when its papers are frozen as they stand."
            }
        )
    meeting = audited_update(actor=actor, actor_label=actor_label, instance=meeting, **changes)
    if meeting.status != was:
        _after_status(actor, actor_label, meeting, was)
    return meeting


def meeting_delete_blocker(meeting: Meeting) -> str | None:
    """Why a meeting cannot be deleted, if it cannot: only a planned meeting with nothing
    recorded against it (set up in error) may go; otherwise change its status."""
    if meeting.status != MeetingStatus.PLANNED:
        return (
            f"This meeting is {meeting.get_status_display().lower()}, so it is part of the record and "
            "cannot be deleted. Edit it instead (a meeting that will not take place can be marked cancelled)."
        )
    recorded = [
        label
        for label, qs in (
            ("frozen papers", MeetingPapers.objects.filter(meeting=meeting)),
            ("minutes", meeting.minutes),
            ("attendance", meeting.attendance),
            ("actions", meeting.actions),
        )
        if qs.exists()
    ]
    if recorded:
        return (
            f"This meeting has {' and '.join(recorded)} recorded, so it cannot be deleted. Mark it "
            "cancelled instead, or remove what was recorded first."
        )
    return None


@transaction.atomic
def meeting_delete(*, actor, meeting: Meeting, actor_label=None) -> None:
    _deny(actor, may_manage(actor, meeting.body.trust), rules.MANAGE_REFUSED)
    blocker = meeting_delete_blocker(meeting)
    if blocker:
        raise ValidationError(blocker)
    for item in meeting.agenda_items.all():
        audited_delete(actor=actor, actor_label=actor_label, instance=item)
    audited_delete(actor=actor, actor_label=actor_label, instance=meeting)


def _renumber(*, actor, actor_label, items) -> None:
    """Number the items 1..n in the order given, auditing each one that moves."""
    for number, item in enumerate(items, start=1):
        if item.number != number:
            audited_update(actor=actor, actor_label=actor_label, instance=item, number=number)


@transaction.atomic
def agenda_item_add(
    *, actor, meeting, kind, title, school=None, notes="", actor_label=None
) -> AgendaItem:
    _deny(actor, may_change_agenda(actor, meeting), rules.MEETING_REFUSED)
    number = (max((i.number for i in meeting.agenda_items.all()), default=0)) + 1
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=AgendaItem,
        meeting=meeting,
        number=number,
        kind=kind,
        title=title or dict(AgendaKind.choices)[kind],
        school=school,
        notes=notes,
    )


@transaction.atomic
def agenda_item_update(
    *, actor, item: AgendaItem, position: int | None = None, actor_label=None, **changes
) -> AgendaItem:
    """Change an item (its school must still be the meeting's own for a local governing
    committee) and, given a position, move it there and renumber the agenda 1..n."""
    meeting = item.meeting
    _deny(actor, may_change_agenda(actor, meeting), rules.MEETING_REFUSED)
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
    _deny(actor, may_change_agenda(actor, meeting), rules.MEETING_REFUSED)
    for minute in item.minutes.all():
        audited_update(actor=actor, actor_label=actor_label, instance=minute, agenda_item=None)
    audited_delete(actor=actor, actor_label=actor_label, instance=item)
    _renumber(
        actor=actor,
        actor_label=actor_label,
        items=list(meeting.agenda_items.order_by("number", "pk")),
    )


@transaction.atomic
def minute_add(
    *, actor, meeting, kind, text, agenda_item=None, response="", raised_by=None, actor_label=None
) -> MinuteEntry:
    _deny(actor, may_record(actor, meeting.body), rules.RECORD_REFUSED)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=MinuteEntry,
        meeting=meeting,
        kind=kind,
        text=text,
        agenda_item=agenda_item,
        response=response,
        raised_by=raised_by,
    )


@transaction.atomic
def minute_update(*, actor, minute: MinuteEntry, actor_label=None, **changes) -> MinuteEntry:
    _deny(actor, may_record(actor, minute.meeting.body), rules.RECORD_REFUSED)
    return audited_update(actor=actor, actor_label=actor_label, instance=minute, **changes)


@transaction.atomic
def minute_delete(*, actor, minute: MinuteEntry, actor_label=None) -> None:
    _deny(actor, may_record(actor, minute.meeting.body), rules.RECORD_REFUSED)
    audited_delete(actor=actor, actor_label=actor_label, instance=minute)


@transaction.atomic
def attendance_record(*, actor, meeting, statuses: dict, actor_label=None) -> list[Attendance]:
    """statuses: user -> AttendanceStatus. Members not given keep their record."""
    _deny(actor, may_record(actor, meeting.body), rules.RECORD_REFUSED)
    member_ids = set(meeting.body.members.values_list("user_id", flat=True))
    existing = {a.user_id: a for a in meeting.attendance.all()}
    saved = []
    for user, status in statuses.items():
        if user.pk not in member_ids:
            raise ValidationError(f"{user} is not a member of {meeting.body}.")
        if user.pk in existing:
            saved.append(
                audited_update(
                    actor=actor, actor_label=actor_label, instance=existing[user.pk], status=status
                )
            )
        else:
            saved.append(
                audited_create(
                    actor=actor,
                    actor_label=actor_label,
                    model=Attendance,
                    meeting=meeting,
                    user=user,
                    status=status,
                )
            )
    # Recording who attended a planned meeting that has taken place means it was held: its
    # attendance then counts in the participation figures.
    if (
        statuses
        and meeting.status == MeetingStatus.PLANNED
        and meeting.held_on <= timezone.localdate()
    ):
        audited_update(
            actor=actor,
            actor_label=actor_label,
            instance=meeting,
            action=AuditAction.HELD,
            status=MeetingStatus.HELD,
        )
        _after_status(actor, actor_label, meeting, MeetingStatus.PLANNED)
    return saved


@transaction.atomic
def action_add(
    *, actor, meeting, description, owner=None, due_on=None, actor_label=None
) -> MeetingAction:
    _deny(actor, may_record(actor, meeting.body), rules.RECORD_REFUSED)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=MeetingAction,
        meeting=meeting,
        description=description,
        owner=owner,
        due_on=due_on,
    )


@transaction.atomic
def action_complete(*, actor, action: MeetingAction, on=None, actor_label=None) -> MeetingAction:
    _deny(actor, may_close_action(actor, action), rules.ACTION_REFUSED)
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=action,
        status=GovActionStatus.DONE,
        completed_on=on or datetime.date.today(),
    )


@transaction.atomic
def action_update(*, actor, action: MeetingAction, actor_label=None, **changes) -> MeetingAction:
    """Description, owner and due date; completion has its own services."""
    _deny(actor, may_record(actor, action.meeting.body), rules.RECORD_REFUSED)
    unknown = set(changes) - {"description", "owner", "due_on"}
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    return audited_update(actor=actor, actor_label=actor_label, instance=action, **changes)


@transaction.atomic
def action_reopen(*, actor, action: MeetingAction, actor_label=None) -> MeetingAction:
    _deny(actor, may_close_action(actor, action), rules.ACTION_REFUSED)
    if action.status != GovActionStatus.DONE:
        raise ValidationError("This action is already open.")
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=action,
        action=AuditAction.REOPEN,
        status=GovActionStatus.OPEN,
        completed_on=None,
    )


# Visits, skills, training ---------------------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    actor,
    school,
    governor,
    visited_on,
    focus,
    findings,
    priority=None,
    next_steps="",
    actor_label=None,
) -> GovernorVisit:
    _deny(actor, may_record_visits(actor, school), rules.VISITS_REFUSED)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=GovernorVisit,
        school=school,
        governor=governor,
        visited_on=visited_on,
        focus=focus,
        findings=findings,
        priority=priority,
        next_steps=next_steps,
    )


@transaction.atomic
def visit_update(*, actor, visit: GovernorVisit, actor_label=None, **changes) -> GovernorVisit:
    _deny(actor, may_record_visits(actor, visit.school), rules.VISITS_REFUSED)
    return audited_update(actor=actor, actor_label=actor_label, instance=visit, **changes)


@transaction.atomic
def skills_save(
    *, actor, user, trust, start_year: int, ratings: dict[str, int], actor_label=None
) -> int:
    """The user's own self-assessment for the year: skill -> 1..4. Returns the number saved."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(rules.OWN_SKILLS_ONLY)
    if not is_governor_in(user, trust):
        raise ValidationError(rules.MEMBERS_ONLY)
    unknown = set(ratings) - SKILL_CODES
    if unknown:
        raise ValidationError(f"Unknown skills: {', '.join(sorted(unknown))}.")
    existing = {
        r.skill: r
        for r in SkillRating.objects.filter(trust=trust, user=user, start_year=start_year)
    }
    new = []
    for skill, rating in ratings.items():
        if skill in existing:
            audited_update(
                actor=actor, actor_label=actor_label, instance=existing[skill], rating=rating
            )
        else:
            new.append(
                SkillRating(
                    trust=trust, user=user, start_year=start_year, skill=skill, rating=rating
                )
            )
    audited_bulk_create(actor=actor, actor_label=actor_label, objects=new)
    return len(ratings)


@transaction.atomic
def training_add(
    *, actor, user, trust, title, completed_on, provider="", hours=1, skill="", actor_label=None
) -> TrainingRecord:
    _deny(actor, may_add_training(actor, user=user, trust=trust), rules.TRAINING_REFUSED)
    if skill and skill not in SKILL_CODES:
        raise ValidationError({"skill": "Unknown skill."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=TrainingRecord,
        trust=trust,
        user=user,
        title=title,
        completed_on=completed_on,
        provider=provider,
        hours=hours,
        skill=skill,
    )


@transaction.atomic
def training_delete(*, actor, record: TrainingRecord, actor_label=None) -> None:
    _deny(actor, may_delete_training(actor, record), rules.TRAINING_REFUSED)
    audited_delete(actor=actor, actor_label=actor_label, instance=record)


# The annual cycle --------------------------------------------------------------------------------


@transaction.atomic
def cycle_item_create(*, actor, trust, actor_label=None, **fields) -> CycleItem:
    _deny(actor, may_define_cycle(actor, trust), rules.CYCLE_REFUSED)
    return audited_create(
        actor=actor, actor_label=actor_label, model=CycleItem, trust=trust, **fields
    )


SCHEDULE_FIELDS = ("per_school", "frequency", "month", "day", "days_before_term_end")


def _years_to_follow(item: CycleItem) -> list[AcademicYear]:
    """The current and later academic years that have tasks of the item: changes to an item
    reach their open tasks; earlier years stay as they were."""
    current = AcademicYear.objects.filter(trust_id=item.trust_id, is_current=True).first()
    years = AcademicYear.objects.filter(
        pk__in=item.tasks.values("academic_year_id")
    ).prefetch_related("terms")
    if current is not None:
        years = years.filter(start_year__gte=current.start_year)
    return list(years)


def _redate_open_tasks(
    item: CycleItem, year: AcademicYear, schools, role_changed: bool
) -> tuple[int, int]:
    """Replace the item's open tasks in a year by tasks on its new dates. A completed task
    covers its occurrence (no second task for it); a named assignee carries over to the new
    task of the same school and occurrence unless the role changed. Returns (removed, created)."""
    calendars = calendars_for(year, schools)
    tasks = list(item.tasks.filter(academic_year=year))

    def task_key(t):
        return (t.school_id, cycle.task_occurrence(item, t.due_on, t.school_id, calendars))

    done = {task_key(t) for t in tasks if t.completed_on}
    taken = {(t.school_id, t.due_on) for t in tasks if t.completed_on}
    assignees = (
        {} if role_changed else {task_key(t): t.assignee_id for t in tasks if not t.completed_on}
    )
    removed, _ = item.tasks.filter(academic_year=year, completed_on__isnull=True).delete()
    new = []
    for school, due_on, occurrence in cycle.schedule(item, year, calendars, schools):
        key = (school.pk if school else None, occurrence)
        if key in done or (key[0], due_on) in taken:
            continue
        new.append(
            CycleTask(
                item=item,
                trust_id=item.trust_id,
                academic_year=year,
                school=school,
                role=item.role,
                title=item.title,
                due_on=due_on,
                assignee_id=assignees.get(key),
            )
        )
    CycleTask.objects.bulk_create(new, batch_size=500)
    return removed, len(new)


@transaction.atomic
def cycle_item_update(*, actor, item: CycleItem, actor_label=None, **changes) -> CycleItem:
    """Change a line of the cycle. Its open tasks of this year (and later ones) follow: a new
    title or role is copied onto them (a new role clears their assignees, who held the old
    one); new dates replace them by tasks on the new dates. Completed tasks keep what they
    were. One audit event records what happened to the tasks."""
    _deny(actor, may_define_cycle(actor, item.trust), rules.CYCLE_REFUSED)
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
        fields = {"title": item.title, "role": item.role} | (
            {"assignee": None} if role_changed else {}
        )
        updated = item.tasks.filter(academic_year__in=years, completed_on__isnull=True).update(
            **fields
        )
        after = {"open_tasks_updated": updated, "title": item.title, "role": item.role}
    record_event(
        actor=actor,
        action=AuditAction.UPDATE_TASKS,
        instance=item,
        before=None,
        after=after,
        actor_label=actor_label,
    )
    return item


def cycle_item_open_tasks(item: CycleItem) -> int:
    return item.tasks.filter(completed_on__isnull=True).count()


@transaction.atomic
def cycle_item_delete(*, actor, item: CycleItem, actor_label=None) -> int:
    """Take a line out of the cycle: its open tasks go (one audit event counts them); the
    completed ones stay as the record of work done, no longer linked to an item. Returns the
    number of open tasks removed."""
    _deny(actor, may_define_cycle(actor, item.trust), rules.CYCLE_REFUSED)
    removed, _ = item.tasks.filter(completed_on__isnull=True).delete()
    kept = item.tasks.count()
    record_event(
        actor=actor,
        action=AuditAction.REMOVE_TASKS,
        instance=item,
        before=None,
        after={"open_tasks_removed": removed, "completed_tasks_kept": kept},
        actor_label=actor_label,
    )
    audited_delete(actor=actor, actor_label=actor_label, instance=item)
    return removed


@transaction.atomic
def cycle_generate(*, actor, trust, academic_year, actor_label=None) -> int:
    """Turn the trust's cycle into dated tasks per school and role for the year. Idempotent:
    tasks that exist already are kept (with their completion). Returns the number created."""
    _deny(actor, may_define_cycle(actor, trust), rules.CYCLE_REFUSED)
    return _cycle_generate(
        actor=actor,
        trust=trust,
        academic_year=academic_year,
        schools=trust.schools.all(),
        actor_label=actor_label,
    )


@transaction.atomic
def _cycle_generate(*, actor, trust, academic_year, schools, actor_label=None) -> int:
    """cycle_generate for the given schools, without the permission check: the trust's roll-over
    checks its own rule first and passes the schools open next year."""
    if academic_year.trust_id != trust.pk:
        raise ValidationError("That academic year belongs to another trust.")
    schools = list(schools)
    calendars = calendars_for(academic_year, schools)
    items = list(trust.cycle_items.all())
    by_pk = {item.pk: item for item in items}
    existing = set()
    done = set()  # a completed task covers its occurrence, even if the item's dates moved since
    for item_id, school_id, due_on, completed_on in CycleTask.objects.filter(
        academic_year=academic_year, item__isnull=False
    ).values_list("item_id", "school_id", "due_on", "completed_on"):
        existing.add((item_id, school_id, due_on))
        if completed_on and item_id in by_pk:
            occurrence = cycle.task_occurrence(by_pk[item_id], due_on, school_id, calendars)
            done.add((item_id, school_id, occurrence))
    new = []
    for item in items:
        for school, due_on, occurrence in cycle.schedule(item, academic_year, calendars, schools):
            school_id = school.pk if school else None
            key = (item.pk, school_id, due_on)
            if key in existing or (item.pk, school_id, occurrence) in done:
                continue
            existing.add(key)
            new.append(
                CycleTask(
                    item=item,
                    trust=trust,
                    academic_year=academic_year,
                    school=school,
                    role=item.role,
                    title=item.title,
                    due_on=due_on,
                )
            )
    if not new:
        return 0  # nothing changed, nothing to record (a rerun of the roll-over)
    CycleTask.objects.bulk_create(new, batch_size=500)
    # One audit event for the batch: the generation itself.
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        instance=academic_year,
        before=None,
        after={"cycle_tasks_created": len(new)},
        actor_label=actor_label,
    )
    return len(new)


@transaction.atomic
def task_complete(*, actor, task: CycleTask, on=None, actor_label=None) -> CycleTask:
    _deny(actor, may_complete(actor, task), rules.COMPLETE_REFUSED)
    if task.event:
        raise ValidationError(
            f"'{task.title}' is done in the product, not by ticking: it completes when the step "
            "is done on its page."
        )
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=task,
        completed_on=on or datetime.date.today(),
        completed_by=actor,
    )


@transaction.atomic
def task_assign(
    *, actor, task: CycleTask, assignee=None, all_open: bool = False, actor_label=None
) -> int:
    """Name the person for an open task (None: back to everyone who holds its role). With
    all_open, the item's other open tasks this year at the same school are assigned too.
    The person must hold the task's role there. Returns the number of tasks changed."""
    _deny(actor, may_assign(actor, task), rules.ASSIGN_REFUSED)
    if task.completed_on:
        raise ValidationError("This task is done: there is nothing left to assign.")
    if assignee is not None and not selectors.role_holders(task).filter(pk=assignee.pk).exists():
        where = task.school.name if task.school_id else "the trust"
        raise ValidationError(
            {
                "assignee": f"{assignee.full_name or assignee.email} does not hold the role "
                f"{task.get_role_display().lower()} at {where}."
            }
        )
    tasks = [task]
    if all_open and task.item_id:
        tasks += list(
            CycleTask.objects.filter(
                item_id=task.item_id,
                academic_year_id=task.academic_year_id,
                school_id=task.school_id,
                completed_on__isnull=True,
            )
            .exclude(pk=task.pk)
            .order_by("due_on")
        )
    new_id = assignee.pk if assignee is not None else None
    changed = 0
    for t in tasks:
        if t.assignee_id != new_id:
            audited_update(
                actor=actor,
                actor_label=actor_label,
                instance=t,
                action=AuditAction.ASSIGN,
                assignee=assignee,
            )
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
        record_event(
            actor=actor or user,
            action=AuditAction.UPDATE,
            instance=token,
            before={"token": "(secret)"} if before else None,
            after={"token": "(rotated)"},
            scope=(None, None),
        )
    return token


def calendar_token_for(user) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token
