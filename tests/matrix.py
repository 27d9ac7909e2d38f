"""The permission matrix: for every URL pattern the project registers, the status each role
gets on an object in its scope, on one outside it, and when anonymous.

Each app declares its entries in a `MATRIX` dict: this file's FOUNDATION, and
`trustwide/<app>/tests/matrix.py` for domain apps. A URL with no entry fails the suite.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

from trustwide.accounts.roles import Role

ALL_ROLES = frozenset(r.value for r in Role)
TRUST_ROLES = frozenset(
    {
        "trust_leader",
        "trust_data_manager",
        "trust_administrator",
        "trustee",
        "trust_finance_officer",
    }
)
SCHOOL_ROLES = frozenset(
    {
        "headteacher",
        "senior_leader",
        "middle_leader",
        "teacher",
        "school_data_manager",
        "local_governor",
        "peer_reviewer",
        "school_business_manager",
        "clerk_to_governors",
        "safeguarding_lead",
        "senco",
    }
)


CALENDAR_EDITORS = frozenset(
    {"trust_leader", "trust_administrator", "executive_headteacher", "headteacher", "senior_leader"}
)


def _school_year(world, target) -> dict:
    return {"pk": target.school.pk, "year_pk": target.trust.academic_years.first().pk}


def _closure_day(target):
    """A closure day of the target school on the first weekday of its trust's first term."""
    from trustwide.trusts.models import ClosureDay

    year = target.trust.academic_years.first()
    day = year.terms.order_by("number").first().starts_on
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return ClosureDay.objects.get_or_create(
        academic_year=year, school=target.school, on=day, defaults={"reason": "inset"}
    )[0]


@dataclass(frozen=True)
class Target:
    """What a URL points at: in scope (trust A, hub H1, school A1) or out (trust B)."""

    trust: object
    hub: object
    school: object
    in_scope: bool


@dataclass
class Entry:
    # Builds the URL kwargs for a target (may create objects, e.g. a plan of target.school).
    kwargs: Callable[[object, Target], dict] = lambda world, target: {}
    method: str = "get"
    data: Callable[[object, Target], dict] = lambda world, target: {}
    # In scope: role -> status. Roles not listed get `denied`.
    ok: dict[str, int] | frozenset = field(default_factory=dict)
    denied: int = 404
    # Out of scope: the status every role gets (404: absent, never 403).
    out_of_scope: int = 404
    anonymous: int = 302
    # Pages with no object in the URL (home, lists): out-of-scope names must not appear.
    listing: bool = False
    public: bool = False

    def expected(self, role: str) -> int:
        success = 302 if self.method == "post" else 200
        if isinstance(self.ok, dict):
            return self.ok.get(role, self.denied)
        return success if role in self.ok else self.denied


def t_kwargs(**builders):
    """Shortcut: kwargs from attributes of the target, e.g. t_kwargs(pk="school.pk")."""

    def build(world, target):
        values = {}
        for key, path in builders.items():
            value = target
            for part in path.split("."):
                value = getattr(value, part)
            values[key] = value
        return values

    return build


FOUNDATION: dict[str, Entry] = {
    "accounts:home": Entry(ok=ALL_ROLES, listing=True),
    "accounts:login": Entry(public=True, anonymous=200),
    "accounts:logout": Entry(public=True, method="post", anonymous=302),
    "accounts:password-change": Entry(ok=ALL_ROLES, listing=True),
    "accounts:password-change-done": Entry(ok=ALL_ROLES, listing=True),
    "accounts:password-reset": Entry(public=True, anonymous=200),
    "accounts:password-reset-done": Entry(public=True, anonymous=200),
    "accounts:password-reset-confirm": Entry(
        public=True, anonymous=200, kwargs=lambda w, t: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "accounts:password-reset-complete": Entry(public=True, anonymous=200),
    # Second step of login: with no device owed, both pages let the person through.
    "accounts:mfa-verify": Entry(ok=dict.fromkeys(ALL_ROLES, 302), listing=True),
    "accounts:mfa-enrol": Entry(ok=ALL_ROLES, listing=True),
    "accounts:mfa-policy": Entry(
        method="post",
        kwargs=t_kwargs(slug="trust.slug"),
        data=lambda w, t: {"mfa_policy": "off"},
        ok={"trust_administrator"},
        denied=403,
    ),
    "accounts:mfa-reset": Entry(
        method="post",
        kwargs=lambda w, t: {
            "pk": t.school.memberships.first().pk
            if t.in_scope
            else w.extra["trust_b_leader"].memberships.first().pk
        },
        ok={"trust_administrator"},
    ),
    "accounts:membership-list": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_administrator"}, denied=403
    ),
    "accounts:membership-create": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_administrator"}, denied=403
    ),
    "accounts:membership-end": Entry(
        method="post",
        kwargs=lambda w, t: {
            "pk": t.school.memberships.first().pk
            if t.in_scope
            else w.extra["trust_b_leader"].memberships.first().pk
        },
        data=lambda w, t: {"ends_on": "2030-01-01"},
        ok={"trust_administrator"},
    ),
    "accounts:staff-bulk-add": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_administrator"}, denied=403
    ),
    "accounts:invitation-resend": Entry(
        method="post",
        kwargs=lambda w, t: {"pk": w.extra["invitee"](t).pk},
        ok={"trust_administrator"},
    ),
    # The link itself is the credential: a bad token shows "This link has expired" to anyone.
    "accounts:invitation-accept": Entry(
        public=True, anonymous=200, kwargs=lambda w, t: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "trusts:trust-detail": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=ALL_ROLES),
    "trusts:hub-detail": Entry(
        kwargs=t_kwargs(pk="hub.pk"), ok=TRUST_ROLES | {"executive_headteacher"}
    ),
    "trusts:school-list": Entry(ok=ALL_ROLES, listing=True),
    "trusts:school-detail": Entry(kwargs=t_kwargs(pk="school.pk"), ok=ALL_ROLES),
    "trusts:school-edit": Entry(
        kwargs=t_kwargs(pk="school.pk"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:school-add": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:gias-import": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:hub-add": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:hub-edit": Entry(
        kwargs=t_kwargs(pk="hub.pk"),
        ok={
            "trust_leader": 200,
            "trust_administrator": 200,
            "trustee": 403,
            "trust_data_manager": 403,
            "trust_finance_officer": 403,
            "executive_headteacher": 403,
        },
    ),
    "trusts:school-close": Entry(
        kwargs=t_kwargs(pk="school.pk"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:year-list": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:year-add": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "trusts:year-terms": Entry(
        kwargs=lambda w, t: {"pk": t.trust.academic_years.first().pk},
        ok={"trust_leader", "trust_administrator"},
        denied=403,
    ),
    "trusts:year-make-current": Entry(
        method="post",
        kwargs=lambda w, t: {"pk": t.trust.academic_years.first().pk},
        ok={"trust_leader", "trust_administrator"},
        denied=403,
    ),
    "trusts:closure-add": Entry(
        kwargs=lambda w, t: {"year_pk": t.trust.academic_years.first().pk},
        ok={"trust_leader", "trust_administrator"},
        denied=403,
    ),
    "trusts:closure-delete": Entry(
        kwargs=lambda w, t: {"pk": _closure_day(t).pk},
        ok=CALENDAR_EDITORS,
        denied=403,
    ),
    "trusts:school-calendar": Entry(
        kwargs=t_kwargs(pk="school.pk"), ok=CALENDAR_EDITORS, denied=403
    ),
    "trusts:school-terms": Entry(kwargs=_school_year, ok=CALENDAR_EDITORS, denied=403),
    "trusts:school-terms-clear": Entry(kwargs=_school_year, ok=CALENDAR_EDITORS, denied=403),
    "trusts:school-closure-add": Entry(kwargs=_school_year, ok=CALENDAR_EDITORS, denied=403),
    "trusts:inspection-add": Entry(
        kwargs=t_kwargs(pk="school.pk"),
        ok={
            "trust_leader",
            "trust_administrator",
            "executive_headteacher",
            "headteacher",
            "senior_leader",
        },
        denied=403,
    ),
    "audit:trust-audit": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "audit:object-history": Entry(
        kwargs=lambda w, t: {"object_type": "trusts.school", "object_id": t.school.pk},
        ok={
            "trust_leader",
            "trust_administrator",
            "executive_headteacher",
            "headteacher",
            "senior_leader",
        },
    ),
}


def collect_matrix() -> dict[str, Entry]:
    matrix = dict(FOUNDATION)
    for config in apps.get_app_configs():
        if not config.name.startswith("trustwide."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        overlap = set(matrix) & set(module.MATRIX)
        assert not overlap, f"URL names declared twice in the matrix: {sorted(overlap)}"
        matrix.update(module.MATRIX)
    return matrix
