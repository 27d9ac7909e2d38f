"""Who may do what in governance and the annual cycle: the one home of these decisions and
their refusal messages. Views, services, selectors, links, attention and the calendar feed all
ask here; scope itself is answered by trustwide.access (a trust board's rows are the models'
trust-wide rows)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from trustwide.access import Perm, can, can_at, can_in_trust, holds_role_at, trust_ids
from trustwide.accounts.roles import Role

from .models import (
    BodyKind,
    BodyMember,
    CycleTask,
    GoverningBody,
    LgcReport,
    Meeting,
    MeetingAction,
    MemberRole,
    TrainingRecord,
)

TRUST_REFUSED = "You may not see this trust's governance."
SCHOOL_REFUSED = "You may not see this school's governance."
MANAGE_REFUSED = (
    "Only trust administrators and leaders manage governing bodies, their members and meetings."
)
RECORD_REFUSED = "You may not record this meeting (minutes, attendance and actions)."
MEETING_REFUSED = "You may not change this meeting or its agenda."
ACTION_REFUSED = "Only the action's owner or those who record the meeting change this action."
VISITS_REFUSED = "You may not record or change governor visits here."
MEMBERS_ONLY = "The skills audit and training log are for members of governing bodies."
OWN_SKILLS_ONLY = "Governors record their own skills audit."
TRAINING_REFUSED = "You may not add or remove someone else's training."
CYCLE_VIEW_REFUSED = "The cycle is for trust leaders and trustees."
CYCLE_REFUSED = "Only trust leaders define and generate the annual cycle."
COMPLETE_REFUSED = "This task is for someone else."
ASSIGN_REFUSED = "Only trust leaders and the school's leaders assign tasks."
REPORT_DRAFT_REFUSED = "Only the school's local governors and the clerk to its governors draft its report to the board."
REPORT_SUBMIT_REFUSED = (
    "Only the chair or vice-chair of the local governing committee, or its clerk, submits its report "
    "to the board."
)
REPORT_REPLY_REFUSED = "Only trustees (members of the trust board) reply to a committee's report."
BOARD_REPORTS_REFUSED = "The committees' reports side by side are for the trust board and leaders."


# Reading -----------------------------------------------------------------------------------------


def may_see_trust(user, trust, perm: str = Perm.GOVERNANCE_VIEW) -> bool:
    """The trust's governance pages: anyone holding `perm` anywhere in the trust (each then
    sees the bodies in their scope)."""
    return trust.pk in trust_ids(user, perm)


def may_see_school(user, school) -> bool:
    return can(user, Perm.GOVERNANCE_VIEW, school)


def sees_whole_trust(user, trust) -> bool:
    """Governance read at trust level (the board and every school's figures)."""
    return can_in_trust(user, Perm.GOVERNANCE_VIEW, trust.pk)


def may_see_cycle(user, trust) -> bool:
    return can_in_trust(user, Perm.STRATEGIC_PLAN_VIEW, trust.pk)


def is_governor_in(user, trust) -> bool:
    """A current member of one of the trust's governing bodies."""
    today = datetime.date.today()
    return (
        BodyMember.objects.filter(user=user, body__trust=trust)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


# Bodies, meetings, minutes -----------------------------------------------------------------------


def may_manage(user, trust) -> bool:
    """Bodies, members and meetings: trust administrators and trust leaders."""
    return can_in_trust(user, Perm.GOVERNANCE_EDIT, trust.pk)


def may_record(user, body: GoverningBody) -> bool:
    """Minutes, attendance and actions: governance editors of the body's school (local
    governors, school leaders) or, for trust bodies, at trust level."""
    return can_at(
        user,
        Perm.GOVERNANCE_EDIT,
        trust_id=body.trust_id,
        school=body.school if body.school_id else None,
    )


def may_change_meeting(user, meeting: Meeting) -> bool:
    """The meeting's details and agenda: the managers or those who record it."""
    return may_manage(user, meeting.body.trust) or may_record(user, meeting.body)


may_change_agenda = may_change_meeting


def may_close_action(user, action: MeetingAction) -> bool:
    """Complete or reopen: the action's owner, or whoever records the meeting."""
    return may_record(user, action.meeting.body) or (
        user is not None and action.owner_id == user.pk
    )


def may_record_visits(user, school) -> bool:
    return can(user, Perm.GOVERNANCE_EDIT, school)


# Skills and training -----------------------------------------------------------------------------


def may_add_training(actor, *, user, trust) -> bool:
    """Governors log their own training; trust administrators and leaders anyone's."""
    return actor is not None and (actor.pk == user.pk or may_manage(actor, trust))


def may_delete_training(user, record: TrainingRecord) -> bool:
    return user is not None and (
        record.user_id == user.pk or can_in_trust(user, Perm.GOVERNANCE_EDIT, record.trust_id)
    )


# The annual cycle --------------------------------------------------------------------------------


def may_define_cycle(user, trust) -> bool:
    """The annual cycle is defined by trust leaders (strategic_plan.edit)."""
    return can_in_trust(user, Perm.STRATEGIC_PLAN_EDIT, trust.pk)


def may_complete(user, task: CycleTask) -> bool:
    """Trust leaders; otherwise the named assignee while they hold the task's role where it
    is, or (unassigned, or the assignee has moved on) whoever holds that role there."""
    from .selectors import assignee_holds_role

    if may_define_cycle(user, task.trust):
        return True
    if task.assignee_id and assignee_holds_role(task):
        return user is not None and task.assignee_id == user.pk
    return holds_role_at(
        user,
        Perm.TRUST_VIEW,
        task.role,
        trust_id=task.trust_id,
        school=task.school if task.school_id else None,
    )


def may_assign_at(user, trust_id: int, school=None) -> bool:
    """Who names the person for a task: trust leaders anywhere in the trust; for a school's
    tasks also its leaders (those who edit its improvement plan: headteacher, senior leaders
    and the executive headteacher of its hub)."""
    if can_in_trust(user, Perm.STRATEGIC_PLAN_EDIT, trust_id):
        return True
    return school is not None and can(user, Perm.PLAN_EDIT, school)


def may_assign(user, task: CycleTask) -> bool:
    return may_assign_at(user, task.trust_id, task.school if task.school_id else None)


# Local governing committee reports to the board ----------------------------------------------


def _current_member(user, body, roles=None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    today = datetime.date.today()
    qs = BodyMember.objects.filter(user=user, body=body).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today
    )
    if roles is not None:
        qs = qs.filter(role__in=roles)
    return qs.exists()


def _clerk_of(user, body) -> bool:
    return holds_role_at(
        user,
        Perm.GOVERNANCE_EDIT,
        Role.CLERK_TO_GOVERNORS,
        trust_id=body.trust_id,
        school=body.school,
    )


def may_draft_report(user, body: GoverningBody) -> bool:
    """A committee's report is drafted by its governors and its clerk: a current member of the
    committee (any role, the clerk included), or whoever holds the local governor or clerk role
    at its school."""
    if body.kind != BodyKind.LGC:
        return False
    return (
        _current_member(user, body)
        or holds_role_at(
            user,
            Perm.GOVERNANCE_EDIT,
            Role.LOCAL_GOVERNOR,
            trust_id=body.trust_id,
            school=body.school,
        )
        or _clerk_of(user, body)
    )


def may_submit_report(user, report: LgcReport) -> bool:
    """The chair speaks for the committee: its chair or vice-chair submits, or its clerk (a
    member with the clerk's role, or the clerk to governors at the school)."""
    body = report.body
    return _current_member(
        user, body, roles=[MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.CLERK]
    ) or _clerk_of(user, body)


def may_see_board_reports(user, trust) -> bool:
    """All schools' reports side by side: governance readers at trust level (trustees,
    leaders)."""
    return sees_whole_trust(user, trust)


def may_reply_to_report(user, report: LgcReport) -> bool:
    """Trustees reply: the trustee role in the trust, or a current member of its board."""
    trust_id = report.body.trust_id
    if holds_role_at(user, Perm.GOVERNANCE_VIEW, Role.TRUSTEE, trust_id=trust_id):
        return True
    board = GoverningBody.objects.filter(trust_id=trust_id, kind=BodyKind.BOARD).first()
    return board is not None and _current_member(user, board)


# Meeting papers ----------------------------------------------------------------------------------

PACK_PERMS = (Perm.PLAN_VIEW, Perm.KPI_VIEW, Perm.RISK_VIEW, Perm.POLICY_VIEW)


def sees_frozen_pack(user, meeting: Meeting) -> bool:
    """The stored PDF holds every figure the meeting saw: it goes to readers who may see all of
    them where the body sits; others get the frozen papers less what they may not see."""
    body = meeting.body
    return all(
        can_at(user, perm, trust_id=body.trust_id, school=body.school if body.school_id else None)
        for perm in PACK_PERMS
    )
