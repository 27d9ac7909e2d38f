"""Permission-matrix entries for every governance URL (see tests/matrix.py)."""

from tests.matrix import ALL_ROLES, TRUST_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import (
    token_for,
    world_action,
    world_agenda_item,
    world_body,
    world_cycle_item,
    world_meeting,
    world_member,
    world_minute,
    world_task,
    world_training,
    world_visit,
)
from .lgc_factories import world_report, world_submitted_report


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


VIEWERS = roles_with(Perm.GOVERNANCE_VIEW)
EDITORS = roles_with(
    Perm.GOVERNANCE_EDIT
)  # leader, administrator, EHT, head, senior leader, governor
MANAGERS = {"trust_leader", "trust_administrator"}
# Who names the person for a school's cycle task: trust leaders and the school's leaders.
ASSIGNERS = {"trust_leader", "executive_headteacher", "headteacher", "senior_leader"}
# Reports to the board (rules.may_*_report): the school's governors and clerk draft; the chair
# or the clerk submits (the world's governor is an ordinary member); trustees reply; trust-level
# governance readers see every school's report side by side.
DRAFTERS = {"local_governor", "clerk_to_governors"}
SUBMITTERS = {"clerk_to_governors"}
BOARD_READERS = set(TRUST_ROLES) & VIEWERS


def all_403(allowed, method="get"):
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 for role in ALL_ROLES}


def on_object(allowed, method="get"):
    success = 302 if method == "post" else 200
    return {
        role: success if role in allowed else 403 if role in VIEWERS else 404 for role in ALL_ROLES
    }


def body_kwargs(world, target):
    return {"pk": world_body(world, target).pk}


def meeting_kwargs(world, target):
    return {"pk": world_meeting(world, target).pk}


def pk_of(factory):
    return lambda world, target: {"pk": factory(world, target).pk}


def trust_with_members(world, target):
    world_body(world, target)
    return {"slug": target.trust.slug}


MATRIX = {
    "governance:trust": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "governance:body-create": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(MANAGERS)),
    "governance:member-add": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(MANAGERS)),
    "governance:skills": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "governance:training-add": Entry(
        kwargs=trust_with_members, ok=all_403({"local_governor", "trustee"})
    ),
    # Trust-level strategic_plan.view: the finance officer follows the cycle's budget deadlines.
    "governance:cycle": Entry(
        kwargs=t_kwargs(slug="trust.slug"),
        ok=all_403({"trust_leader", "trustee", "trust_finance_officer"}),
    ),
    "governance:cycle-item-create": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=all_403({"trust_leader"})
    ),
    "governance:cycle-generate": Entry(
        method="post",
        kwargs=t_kwargs(slug="trust.slug"),
        data=lambda w, t: {"academic_year": t.trust.academic_years.get(is_current=True).pk},
        ok=all_403({"trust_leader"}, "post"),
    ),
    "governance:body-detail": Entry(kwargs=body_kwargs, ok=on_object(VIEWERS)),
    "governance:meeting-create": Entry(kwargs=body_kwargs, ok=on_object(MANAGERS)),
    "governance:meeting-detail": Entry(kwargs=meeting_kwargs, ok=on_object(VIEWERS)),
    "governance:agenda-item-add": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:minute-add": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:attendance": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:action-add": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:action-complete": Entry(
        method="post",
        kwargs=lambda w, t: {"pk": world_action(w, t).pk},
        ok=on_object(EDITORS, "post"),
    ),
    "governance:visit-list": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(VIEWERS)),
    "governance:visit-create": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(EDITORS)),
    "governance:my-tasks": Entry(ok=ALL_ROLES, listing=True),
    "governance:task-complete": Entry(
        method="post", kwargs=lambda w, t: {"pk": world_task(w, t).pk}, ok={"local_governor": 302}
    ),
    "governance:calendar": Entry(ok=ALL_ROLES, listing=True),
    # Edit and delete pages (delete: the confirmation page; the POST is tested in test_editing.py).
    "governance:body-edit": Entry(kwargs=body_kwargs, ok=on_object(MANAGERS)),
    "governance:body-delete": Entry(kwargs=body_kwargs, ok=on_object(MANAGERS)),
    "governance:member-edit": Entry(kwargs=pk_of(world_member), ok=on_object(MANAGERS)),
    "governance:member-delete": Entry(kwargs=pk_of(world_member), ok=on_object(MANAGERS)),
    "governance:meeting-edit": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:meeting-delete": Entry(kwargs=meeting_kwargs, ok=on_object(MANAGERS)),
    "governance:agenda-item-edit": Entry(kwargs=pk_of(world_agenda_item), ok=on_object(EDITORS)),
    "governance:agenda-item-delete": Entry(kwargs=pk_of(world_agenda_item), ok=on_object(EDITORS)),
    "governance:minute-edit": Entry(kwargs=pk_of(world_minute), ok=on_object(EDITORS)),
    "governance:minute-delete": Entry(kwargs=pk_of(world_minute), ok=on_object(EDITORS)),
    "governance:action-edit": Entry(kwargs=pk_of(world_action), ok=on_object(EDITORS)),
    # Reopening an open action is refused with a message: still a redirect.
    "governance:action-reopen": Entry(
        method="post", kwargs=pk_of(world_action), ok=on_object(EDITORS, "post")
    ),
    "governance:cycle-item-edit": Entry(
        kwargs=pk_of(world_cycle_item), ok=all_403({"trust_leader"})
    ),
    "governance:cycle-item-delete": Entry(
        kwargs=pk_of(world_cycle_item), ok=all_403({"trust_leader"})
    ),
    "governance:visit-edit": Entry(kwargs=pk_of(world_visit), ok=on_object(EDITORS)),
    # Own record (the local governor's) or a trust manager.
    "governance:training-delete": Entry(
        kwargs=pk_of(world_training), ok=on_object({"local_governor"} | MANAGERS)
    ),
    # Assigning cycle tasks to named people, and the overviews that show who has what.
    "governance:task-assign": Entry(kwargs=pk_of(world_task), ok=all_403(ASSIGNERS)),
    "governance:school-tasks": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(ASSIGNERS)),
    "governance:trust-tasks": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=all_403({"trust_leader"})
    ),
    "governance:lgc-report-create": Entry(kwargs=body_kwargs, ok=on_object(DRAFTERS)),
    "governance:lgc-report-detail": Entry(kwargs=pk_of(world_report), ok=on_object(VIEWERS)),
    "governance:lgc-report-edit": Entry(kwargs=pk_of(world_report), ok=on_object(DRAFTERS)),
    "governance:lgc-conflict-add": Entry(kwargs=pk_of(world_report), ok=on_object(DRAFTERS)),
    "governance:lgc-report-submit": Entry(
        method="post", kwargs=pk_of(world_report), ok=on_object(SUBMITTERS, "post")
    ),
    "governance:lgc-report-reply": Entry(
        kwargs=pk_of(world_submitted_report), ok=on_object({"trustee"})
    ),
    "governance:board-reports": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=all_403(BOARD_READERS)
    ),
    "governance:meeting-papers": Entry(kwargs=meeting_kwargs, ok=on_object(VIEWERS)),
    "governance:meeting-papers-pdf": Entry(kwargs=meeting_kwargs, ok=on_object(VIEWERS)),
    "governance:calendar-feed": Entry(
        public=True,
        anonymous=200,
        kwargs=lambda w, t: {"token": token_for(w.users["local_governor"]).token},
    ),
}
