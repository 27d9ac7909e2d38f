"""Permission-matrix entries for every risk-register URL (see tests/matrix.py)."""

from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import school_risk


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


VIEWERS = roles_with(
    Perm.RISK_VIEW
)  # trust leader, trustee, EHT, head, senior leader, local governor
SCHOOL_EDITORS = roles_with(Perm.RISK_EDIT)  # trust leader, EHT, head, senior leader
# The executive headteacher reads the trust register, limited to their hub's schools.
TRUST_VIEWERS = {"trust_leader", "trustee", "executive_headteacher", "trust_finance_officer"}
# The trust finance officer keeps the trust register (risk.edit at trust level) with the leaders.
TRUST_EDITORS = {"trust_leader", "trust_finance_officer"}


def all_403(allowed: set[str], method: str = "get") -> dict:
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 for role in ALL_ROLES}


def on_risk(allowed: set[str]) -> dict:
    """Risk pages: not visible 404; visible but not allowed 403."""
    return {role: 200 if role in allowed else 403 if role in VIEWERS else 404 for role in ALL_ROLES}


def risk_kwargs(world, target):
    return {"pk": school_risk(world, target).pk}


MATRIX = {
    "risks:school-register": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(VIEWERS)),
    "risks:school-risk-create": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(SCHOOL_EDITORS)),
    "risks:school-export": Entry(
        kwargs=lambda w, t: {"pk": t.school.pk, "fmt": "xlsx"}, ok=all_403(VIEWERS)
    ),
    "risks:trust-register": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(TRUST_VIEWERS)),
    "risks:trust-risk-create": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(TRUST_EDITORS)),
    "risks:threshold": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(TRUST_EDITORS)),
    "risks:trust-export": Entry(
        kwargs=lambda w, t: {"slug": t.trust.slug, "fmt": "xlsx"}, ok=all_403(TRUST_VIEWERS)
    ),
    "risks:risk-detail": Entry(kwargs=risk_kwargs, ok=on_risk(VIEWERS)),
    "risks:risk-edit": Entry(kwargs=risk_kwargs, ok=on_risk(SCHOOL_EDITORS)),
    "risks:risk-review": Entry(kwargs=risk_kwargs, ok=on_risk(SCHOOL_EDITORS)),
    "risks:risk-delete": Entry(kwargs=risk_kwargs, ok=on_risk(SCHOOL_EDITORS)),
}
