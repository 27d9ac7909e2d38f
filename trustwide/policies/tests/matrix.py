"""Permission-matrix entries for every policy-register URL (see tests/matrix.py)."""

from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import school_policy


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


# trust leader, trust administrator, trustee, EHT, head, senior leader, local governor
VIEWERS = roles_with(Perm.POLICY_VIEW)
# trust leader, trust administrator, EHT, head, senior leader
SCHOOL_EDITORS = roles_with(Perm.POLICY_EDIT)
TRUST_EDITORS = {"trust_leader", "trust_administrator"}


def all_403(allowed: set[str]) -> dict:
    """Pages of a trust or school every role can see: not allowed is 403."""
    return {role: 200 if role in allowed else 403 for role in ALL_ROLES}


def on_policy(allowed: set[str]) -> dict:
    """Policy pages: not visible 404; visible but not allowed 403."""
    return {role: 200 if role in allowed else 403 if role in VIEWERS else 404 for role in ALL_ROLES}


def policy_kwargs(world, target):
    return {"pk": school_policy(world, target).pk}


MATRIX = {
    "policies:trust-register": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "policies:trust-policy-create": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=all_403(TRUST_EDITORS)
    ),
    "policies:trust-export": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "policies:school-register": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(VIEWERS)),
    "policies:school-policy-create": Entry(
        kwargs=t_kwargs(pk="school.pk"), ok=all_403(SCHOOL_EDITORS)
    ),
    "policies:school-export": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(VIEWERS)),
    "policies:policy-detail": Entry(kwargs=policy_kwargs, ok=on_policy(VIEWERS)),
    "policies:policy-edit": Entry(kwargs=policy_kwargs, ok=on_policy(SCHOOL_EDITORS)),
    "policies:policy-review": Entry(kwargs=policy_kwargs, ok=on_policy(SCHOOL_EDITORS)),
    "policies:policy-retire": Entry(kwargs=policy_kwargs, ok=on_policy(SCHOOL_EDITORS)),
    "policies:policy-delete": Entry(kwargs=policy_kwargs, ok=on_policy(SCHOOL_EDITORS)),
}
