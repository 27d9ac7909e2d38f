"""Permission-matrix entries for every governance URL (see tests/matrix.py)."""

from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import token_for, world_action, world_body, world_meeting, world_task


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


VIEWERS = roles_with(Perm.GOVERNANCE_VIEW)
EDITORS = roles_with(Perm.GOVERNANCE_EDIT)  # leader, administrator, EHT, head, senior leader, governor
MANAGERS = {"trust_leader", "trust_administrator"}


def all_403(allowed, method="get"):
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 for role in ALL_ROLES}


def on_object(allowed, method="get"):
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 if role in VIEWERS else 404 for role in ALL_ROLES}


def body_kwargs(world, target):
    return {"pk": world_body(world, target).pk}


def meeting_kwargs(world, target):
    return {"pk": world_meeting(world, target).pk}


def trust_with_members(world, target):
    world_body(world, target)
    return {"slug": target.trust.slug}


MATRIX = {
    "governance:trust": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "governance:body-create": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(MANAGERS)),
    "governance:member-add": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(MANAGERS)),
    "governance:skills": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "governance:training-add": Entry(kwargs=trust_with_members, ok=all_403({"local_governor", "trustee"})),
    "governance:cycle": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403({"trust_leader", "trustee"})),
    "governance:cycle-item-create": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403({"trust_leader"})),
    "governance:cycle-generate": Entry(
        method="post", kwargs=t_kwargs(slug="trust.slug"),
        data=lambda w, t: {"academic_year": t.trust.academic_years.get(is_current=True).pk},
        ok=all_403({"trust_leader"}, "post")),
    "governance:body-detail": Entry(kwargs=body_kwargs, ok=on_object(VIEWERS)),
    "governance:meeting-create": Entry(kwargs=body_kwargs, ok=on_object(MANAGERS)),
    "governance:meeting-detail": Entry(kwargs=meeting_kwargs, ok=on_object(VIEWERS)),
    "governance:agenda-item-add": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:minute-add": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:attendance": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:action-add": Entry(kwargs=meeting_kwargs, ok=on_object(EDITORS)),
    "governance:action-complete": Entry(method="post", kwargs=lambda w, t: {"pk": world_action(w, t).pk},
                                        ok=on_object(EDITORS, "post")),
    "governance:visit-list": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(VIEWERS)),
    "governance:visit-create": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(EDITORS)),
    "governance:my-tasks": Entry(ok=ALL_ROLES, listing=True),
    "governance:task-complete": Entry(method="post", kwargs=lambda w, t: {"pk": world_task(w, t).pk},
                                      ok={"local_governor": 302}),
    "governance:calendar": Entry(ok=ALL_ROLES, listing=True),
    "governance:calendar-feed": Entry(public=True, anonymous=200,
                                      kwargs=lambda w, t: {"token": token_for(w.users["local_governor"]).token}),
}
