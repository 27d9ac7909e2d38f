"""Who may do what on the dashboards and reports: the one home of every dashboards decision and
of each refusal's message. Views, services, selectors, links, attention and reports ask here;
scope itself is answered by trustwide.access, other apps' decisions by their own rules.

`user=None` is a command or the demo builder: services allow it; pages pass the signed-in user."""

from __future__ import annotations

from trustwide.access import (
    Perm,
    actor_can_in_trust,
    can,
    school_ids_at,
    trust_ids_at,
)
from trustwide.accounts.roles import ScopeLevel
from trustwide.kpis import rules as kpi_rules
from trustwide.planning import rules as planning_rules

TRUST_PAGES_HIDDEN = "Trust-wide pages are for trust and hub leaders."
CONCERN_RULE_REFUSED = "Only trust leaders change the schools-of-concern rule."
PLAN_EDIT_REFUSED = "You may not edit this school's plan."
COMMENTARY_REFUSED = "Only the school's leaders write the head's report."


def sees_trust_dashboard(user, trust, perm: str = Perm.KPI_VIEW) -> bool:
    """Trust-wide pages are for those holding the permission at trust or hub level."""
    return trust.pk in trust_ids_at(user, perm, levels=(ScopeLevel.TRUST, ScopeLevel.HUB))


def sees_board_report(user, trust) -> bool:
    return sees_trust_dashboard(user, trust, Perm.REPORT_VIEW)


def sees_school_dashboard(user, school) -> bool:
    return kpi_rules.may_view_kpis(user, school)


def sees_head_report(user, school) -> bool:
    return can(user, Perm.REPORT_VIEW, school)


def sees_every_hub(user, trust) -> bool:
    return trust.pk in trust_ids_at(user, Perm.KPI_VIEW)


def may_change_concern_rule(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.SUPPORT_MANAGE, trust_id)


def may_plan_from_concern(user, school) -> bool:
    """Turn a concern into a draft priority of the school's plan."""
    return planning_rules.may_edit_plans(user, school)


def may_edit_commentary(user, school) -> bool:
    """The head's report commentary: the school's leaders who read its reports."""
    return user is None or (
        can(user, Perm.PLAN_EDIT, school) and can(user, Perm.REPORT_VIEW, school)
    )


def commentary_schools(user) -> set[int]:
    """Schools whose commentary the user writes as one of its own leaders (for the home page)."""
    return school_ids_at(user, Perm.PLAN_EDIT) & school_ids_at(user, Perm.REPORT_VIEW)


TRACKING_PUPILS_REFUSED = "Only staff allowed to see pupils see which pupils are not on track."


def sees_tracking(user, school) -> bool:
    """The in-year tracking grid (counts and shares, no pupils): whoever sees the school's KPIs."""
    return kpi_rules.may_view_kpis(user, school)


def sees_tracking_pupils(user, school) -> bool:
    """The pupils behind a tracking cell: staff holding pupils.view at the school (never
    governors, trustees or peer reviewers)."""
    return can(user, Perm.PUPILS_VIEW, school)
