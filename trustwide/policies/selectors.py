"""Read path for the policy register. Fixed query counts: the rows, the counts by due state and
the school choices are one query each, however many policies there are.

Visibility is Policy's scope through access.restrict (trust-wide rows included); who may do
what is in rules.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from trustwide.access import Perm, restrict
from trustwide.trusts.models import School

from . import review_dates
from .models import Policy, PolicyStatus


def visible_policies(user, perm: str = Perm.POLICY_VIEW) -> QuerySet:
    """Policies of the schools in the user's scope, and trust-wide policies of their trusts
    (Policy's trust-wide rows, through access)."""
    return restrict(Policy.objects.all(), user, perm)


def register_schools(user, trust) -> list[School]:
    """The schools of the trust whose policies the user reads (for the school filter)."""
    return list(
        restrict(School.objects.filter(trust=trust), user, Perm.POLICY_VIEW)
        .only("pk", "name", "trust_id")
        .order_by("name")
    )


def due_q(state: str, today: datetime.date) -> Q:
    """The database form of review_dates.due_state, so filters and counts agree with the badges."""
    soon = today + datetime.timedelta(days=review_dates.DUE_SOON_DAYS)
    if state == review_dates.RETIRED:
        return Q(status=PolicyStatus.RETIRED)
    active = ~Q(status=PolicyStatus.RETIRED)
    if state == review_dates.OVERDUE:
        return active & Q(next_review_on__lt=today)
    if state == review_dates.DUE:
        return active & Q(next_review_on__gte=today, next_review_on__lte=soon)
    if state == review_dates.IN_DATE:
        return active & Q(next_review_on__gt=soon)
    if state == review_dates.NOT_APPROVED:
        return active & Q(next_review_on__isnull=True)
    raise ValueError(f"Unknown due state {state!r}")


STATES = [
    review_dates.OVERDUE,
    review_dates.DUE,
    review_dates.IN_DATE,
    review_dates.NOT_APPROVED,
    review_dates.RETIRED,
]

TRUST_WIDE = "trust"  # the school filter's value for trust-wide policies only


@dataclass
class Register:
    rows: list[Policy]
    counts: dict[str, int] = field(default_factory=dict)
    today: datetime.date | None = None

    @property
    def active(self) -> int:
        return sum(n for state, n in self.counts.items() if state != review_dates.RETIRED)


def register(
    user,
    *,
    trust,
    school=None,
    school_filter: str = "",
    category: str = "",
    due: str = "",
    today: datetime.date | None = None,
) -> Register:
    """The register the user may see: for a trust (every visible policy, or those of
    `school_filter`: a school pk or TRUST_WIDE) or for a school (its own and the trust-wide
    ones). Counts by due state follow the school and category filters; `due` then picks rows
    ("" = every policy not retired)."""
    today = today or timezone.localdate()
    qs = visible_policies(user).filter(trust=trust)
    if school is not None:
        qs = qs.filter(Q(school=school) | Q(school__isnull=True))
    elif school_filter == TRUST_WIDE:
        qs = qs.filter(school__isnull=True)
    elif school_filter:
        qs = qs.filter(school_id=school_filter)
    if category:
        qs = qs.filter(category=category)
    counts = qs.aggregate(**{state: Count("pk", filter=due_q(state, today)) for state in STATES})
    rows_qs = qs.filter(due_q(due, today)) if due else qs.exclude(status=PolicyStatus.RETIRED)
    rows = list(
        rows_qs.select_related("school", "owner").order_by(
            F("next_review_on").asc(nulls_first=True), "school__name", "title"
        )
    )
    for policy in rows:
        policy.state = policy.due_state(today)
    return Register(rows=rows, counts=counts, today=today)


def policy_reviews(policy: Policy) -> list:
    return list(policy.reviews.select_related("reviewed_by"))


def due_for_meeting(*, trust, school, until: datetime.date, limit: int = 20) -> list[Policy]:
    """For governance agendas: the policies of `school` (or the trust-wide ones when school is
    None) not retired and due for review by `until`, overdue ones included. One query."""
    qs = Policy.objects.filter(trust=trust, next_review_on__lte=until).exclude(
        status=PolicyStatus.RETIRED
    )
    qs = qs.filter(school=school) if school is not None else qs.filter(school__isnull=True)
    return list(qs.order_by("next_review_on", "title")[:limit])


def has_register(trust) -> bool:
    return Policy.objects.filter(trust=trust).exists()


def due_for_editor(user, *, today: datetime.date, limit: int) -> tuple[list[Policy], int]:
    """Policies the user may edit that are overdue or due within review_dates.ATTENTION_DAYS:
    (the first `limit`, soonest first; how many in all). Two queries at most."""
    until = today + datetime.timedelta(days=review_dates.ATTENTION_DAYS)
    qs = (
        visible_policies(user, Perm.POLICY_EDIT)
        .exclude(status=PolicyStatus.RETIRED)
        .filter(next_review_on__lte=until)
    )
    rows = list(qs.select_related("school", "trust").order_by("next_review_on", "title")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total
