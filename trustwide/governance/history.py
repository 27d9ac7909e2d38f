"""History rules (see trustwide/audit/history.py): the governance pages' own selectors. Skill
ratings and training records are a governor's own (the skills page shows each person theirs;
bodies see only totals), so their history is the owner's alone."""

from trustwide.access import Perm, trust_ids
from trustwide.audit.history import all_by_view_permission

from . import selectors
from .models import (
    Attendance,
    CycleItem,
    GovernorVisit,
    LgcReport,
    LgcReportReply,
    MeetingPapers,
    PriorityConflict,
    SkillRating,
    TrainingRecord,
)


def _own(model):
    def rule(user):
        return model.objects.filter(user=user, trust_id__in=trust_ids(user, Perm.GOVERNANCE_VIEW))

    return rule


VISIBLE = {
    "governance.governingbody": selectors.bodies_for,
    "governance.bodymember": selectors.members_for,
    "governance.meeting": selectors.meetings_for,
    "governance.agendaitem": selectors.agenda_items_for,
    "governance.minuteentry": selectors.minutes_for,
    "governance.attendance": lambda user: Attendance.objects.filter(
        meeting__in=selectors.meetings_for(user)
    ),
    "governance.meetingaction": selectors.actions_for,
    "governance.cycletask": selectors.cycle_tasks_visible,
    "governance.skillrating": _own(SkillRating),
    "governance.trainingrecord": _own(TrainingRecord),
    # Shown to whoever reads governance (visits) or the annual cycle (items).
    **all_by_view_permission(GovernorVisit, CycleItem),
    # Reports to the board, their flags and replies, and frozen papers: whoever reads the
    # governance of the committee's school (the board's papers: trust level).
    **all_by_view_permission(LgcReport, PriorityConflict, LgcReportReply, MeetingPapers),
}
