"""Read path for governance: bodies and meetings the user may see, attendance and
participation figures, skills coverage and gaps, the user's cycle tasks. Fixed query counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from trustwide.access import Perm, restrict, restrict_to_held_roles
from trustwide.accounts.models import Membership, User

from .models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BodyMember,
    CycleTask,
    GovActionStatus,
    GoverningBody,
    Meeting,
    MeetingAction,
    MeetingStatus,
    MinuteEntry,
    MinuteKind,
    SkillRating,
)
from .skills import SKILLS, SkillCoverage, coverage


def bodies_for(user, perm: str = Perm.GOVERNANCE_VIEW) -> QuerySet:
    return restrict(GoverningBody.objects.all(), user, perm)


def meetings_for(user, perm: str = Perm.GOVERNANCE_VIEW) -> QuerySet:
    return restrict(Meeting.objects.all(), user, perm)


def actions_for(user, perm: str = Perm.GOVERNANCE_VIEW) -> QuerySet:
    return restrict(MeetingAction.objects.all(), user, perm)


def members_for(user, perm: str = Perm.GOVERNANCE_VIEW) -> QuerySet:
    return restrict(BodyMember.objects.all(), user, perm)


def agenda_items_for(user, perm: str = Perm.GOVERNANCE_VIEW) -> QuerySet:
    return restrict(AgendaItem.objects.all(), user, perm)


def minutes_for(user, perm: str = Perm.GOVERNANCE_VIEW) -> QuerySet:
    return restrict(MinuteEntry.objects.all(), user, perm)


def cycle_tasks_visible(user) -> QuerySet:
    """Every cycle task in the user's scope (not only their own): for the managers' pages,
    which then decide who may change it."""
    return restrict(CycleTask.objects.all(), user, Perm.TRUST_VIEW)


# Attendance and participation --------------------------------------------------------------------


@dataclass
class AttendanceRow:
    member: BodyMember
    expected: int = 0
    present: int = 0
    apologies: int = 0
    absent: int = 0
    questions: int = 0  # questions and challenges raised

    @property
    def rate(self) -> float | None:
        return round(100 * self.present / self.expected, 1) if self.expected else None


def _held_meetings(body_ids, since, until):
    qs = Meeting.objects.filter(body_id__in=body_ids, status=MeetingStatus.HELD)
    if since:
        qs = qs.filter(held_on__gte=since)
    if until:
        qs = qs.filter(held_on__lte=until)
    return list(qs.values_list("pk", "body_id", "held_on"))


def attendance_figures(
    body_ids, *, since=None, until=None
) -> dict[int, tuple[list[AttendanceRow], AttendanceRow]]:
    """For each body: a row per member (meetings held during their term of office, how many
    they attended, gave apologies for or missed, questions and challenges they raised) and
    the body total. Four queries for any number of bodies."""
    body_ids = list(body_ids)
    members = list(
        BodyMember.objects.filter(body_id__in=body_ids)
        .select_related("user")
        .order_by("body_id", "role", "user__full_name")
    )
    meetings = _held_meetings(body_ids, since, until)
    meeting_ids = [m[0] for m in meetings]
    marks = {
        (m, u): s
        for m, u, s in Attendance.objects.filter(meeting_id__in=meeting_ids).values_list(
            "meeting_id", "user_id", "status"
        )
    }
    raised = dict(
        ((m, u), n)
        for m, u, n in MinuteEntry.objects.filter(
            meeting_id__in=meeting_ids,
            kind__in=[MinuteKind.QUESTION, MinuteKind.CHALLENGE],
            raised_by__isnull=False,
        )
        .values_list("meeting_id", "raised_by_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[int, tuple[list[AttendanceRow], AttendanceRow]] = {
        b: ([], AttendanceRow(member=None)) for b in body_ids
    }
    for member in members:
        row = AttendanceRow(member=member)
        for meeting_id, body_id, held_on in meetings:
            if body_id != member.body_id or not member.is_current(held_on):
                continue
            row.expected += 1
            status = marks.get((meeting_id, member.user_id), AttendanceStatus.ABSENT)
            if status == AttendanceStatus.PRESENT:
                row.present += 1
            elif status == AttendanceStatus.APOLOGIES:
                row.apologies += 1
            else:
                row.absent += 1
            row.questions += raised.get((meeting_id, member.user_id), 0)
        rows, total = out[member.body_id]
        rows.append(row)
        for name in ("expected", "present", "apologies", "absent", "questions"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return out


# Skills ------------------------------------------------------------------------------------------


def _ratings(trust_id: int, start_year: int, user_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for user_id, skill, rating in SkillRating.objects.filter(
        trust_id=trust_id, start_year=start_year, user_id__in=user_ids
    ).values_list("user_id", "skill", "rating"):
        out.setdefault(user_id, {})[skill] = rating
    return out


def current_member_ids(bodies, on: datetime.date) -> dict[int, list[int]]:
    by_body: dict[int, list[int]] = {b.pk: [] for b in bodies}
    for body_id, user_id, role in (
        BodyMember.objects.filter(body__in=bodies, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("body_id", "user_id", "role")
    ):
        if role != "clerk":
            by_body[body_id].append(user_id)
    return by_body


@dataclass
class SkillsPicture:
    by_body: dict[int, list[SkillCoverage]]
    trust_wide: list[SkillCoverage]
    gaps_by_skill: dict[str, int]  # skill -> number of bodies where it is a gap
    responded: dict[int, int]  # body -> members who completed at least one rating
    members: dict[int, int]


def skills_picture(trust, bodies, start_year: int, on: datetime.date) -> SkillsPicture:
    members = current_member_ids(bodies, on)
    all_ids = {u for ids in members.values() for u in ids}
    ratings = _ratings(trust.pk, start_year, all_ids)
    by_body = {body_id: coverage(ratings, ids) for body_id, ids in members.items()}
    gaps = {
        code: sum(
            1 for cov in by_body.values() if next(c for c in cov if c.code == code).status == "gap"
        )
        for code, _, _ in SKILLS
    }
    return SkillsPicture(
        by_body=by_body,
        trust_wide=coverage(ratings, all_ids),
        gaps_by_skill=gaps,
        responded={b: sum(1 for u in ids if u in ratings) for b, ids in members.items()},
        members={b: len(ids) for b, ids in members.items()},
    )


# The annual cycle --------------------------------------------------------------------------------


def _holding_role() -> Q:
    """Memberships (of a task's role and trust) that cover the task's place: the school itself,
    its hub, or the whole trust; for a trust-level task, any of them."""
    return (
        Q(school_id=OuterRef("school_id"))
        | Q(hub__isnull=False, hub_id=OuterRef("school__hub_id"))
        | Q(school__isnull=True, hub__isnull=True)
    )


def _assignee_active():
    """True while a task's named assignee still holds its role where it is (an active user
    with an active membership). Otherwise the task falls back to every holder of the role, so
    a task never vanishes when its assignee leaves or moves school."""
    holds = Membership.objects.active().filter(
        user_id=OuterRef("assignee_id"),
        user__is_active=True,
        role=OuterRef("role"),
        trust_id=OuterRef("trust_id"),
    )
    return (Q(school__isnull=True) & Exists(holds)) | (
        Q(school__isnull=False) & Exists(holds.filter(_holding_role()))
    )


def assignee_holds_role(task: CycleTask) -> bool:
    return CycleTask.objects.filter(pk=task.pk).filter(_assignee_active()).exists()


def tasks_for(user) -> QuerySet:
    """The user's cycle tasks: those assigned to them by name (while they hold the task's role
    where it is), and for the roles they hold where they hold them, the unassigned ones and
    those whose assignee no longer holds the role there. A task with an active assignee shows
    for nobody else here (managers see it on the overview pages)."""
    if not user.is_authenticated:
        return CycleTask.objects.none()
    by_role = restrict_to_held_roles(CycleTask.objects.all(), user, Perm.TRUST_VIEW).values("pk")
    active = _assignee_active()
    named = Q(assignee_id=user.pk) & active
    return CycleTask.objects.filter(
        (Q(pk__in=by_role) & (Q(assignee__isnull=True) | ~active)) | named
    )


def due_tasks(
    user, today: datetime.date, horizon_days: int = 14
) -> tuple[list[CycleTask], list[CycleTask]]:
    """(overdue, due within the horizon) open tasks of the user, oldest first."""
    rows = list(
        tasks_for(user)
        .filter(
            completed_on__isnull=True, due_on__lte=today + datetime.timedelta(days=horizon_days)
        )
        .select_related("school")
        .order_by("due_on", "pk")[:200]
    )
    return [t for t in rows if t.due_on < today], [t for t in rows if t.due_on >= today]


def role_holders(task: CycleTask) -> QuerySet:
    """Who may be named on a task: active members holding its role where it is (the school,
    through a school, hub or trust membership) or, for a trust-level task, anywhere in the trust."""
    memberships = Membership.objects.active().filter(trust_id=task.trust_id, role=task.role)
    if task.school_id:
        school = task.school
        memberships = memberships.filter(
            Q(school_id=school.pk)
            | Q(hub_id=school.hub_id, hub__isnull=False)
            | Q(school__isnull=True, hub__isnull=True)
        )
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("full_name", "email")


def task_overview(*, trust, school=None, show_done=False, limit=500) -> list[CycleTask]:
    """This year's tasks of a school (or the trust-level ones), with who they are assigned to:
    the managers' overview. One query whatever the number of rows."""
    tasks = CycleTask.objects.filter(trust=trust, academic_year__is_current=True)
    tasks = tasks.filter(school=school) if school is not None else tasks.filter(school__isnull=True)
    if not show_done:
        tasks = tasks.filter(completed_on__isnull=True)
    return list(
        tasks.select_related("school", "assignee", "completed_by").order_by(
            "due_on", "title", "pk"
        )[:limit]
    )


def open_actions_owned(user, today, horizon_days: int = 14) -> list[MeetingAction]:
    return list(
        MeetingAction.objects.filter(
            owner=user,
            status=GovActionStatus.OPEN,
            due_on__isnull=False,
            due_on__lte=today + datetime.timedelta(days=horizon_days),
        )
        .select_related("meeting__body")
        .order_by("due_on")[:50]
    )


def meetings_of_member(user, since: datetime.date) -> list[Meeting]:
    body_ids = (
        BodyMember.objects.filter(user=user)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since))
        .values("body_id")
    )
    return list(
        Meeting.objects.filter(body_id__in=body_ids, held_on__gte=since)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("held_on")
    )


def terms_of_office_at_turn(trust, last_day: datetime.date) -> tuple[int, int]:
    """(continuing, ending) terms of office on the trust's governing bodies at the end of the
    academic year ending on `last_day`: those that run into next year (or have no end date),
    and those that end in the year's last twelve months, so the clerk can reappoint."""
    members = BodyMember.objects.filter(body__trust=trust, starts_on__lte=last_day)
    continuing = members.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=last_day)).count()
    ending = members.filter(
        ends_on__gt=last_day - datetime.timedelta(days=365), ends_on__lte=last_day
    ).count()
    return continuing, ending
