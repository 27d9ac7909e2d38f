"""A small world for access tests.

Trust A: hub H1 with school A1 (in scope for every school-level user) and hub H2 with school
A2 (same trust, other hub). Trust B: school B1 (another trust entirely). Each role gets a user
whose membership covers A1: trust roles at trust A, the executive headteacher at H1, school
roles at A1 (the peer reviewer time-boxed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from trustwide.accounts.models import Membership, User
from trustwide.accounts.roles import ROLE_LEVEL, Role, ScopeLevel
from trustwide.trusts.models import AcademicYear, Hub, School, Term, Trust, default_term_dates
from trustwide.trusts.utils import current_academic_start_year


@dataclass
class World:
    trust_a: Trust
    trust_b: Trust
    hub_1: Hub
    hub_2: Hub
    school_a1: School
    school_a2: School
    school_b1: School
    users: dict[str, User] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def user(self, role: str) -> User:
        return self.users[role]


_counter = iter(range(10_000, 10**9))


def make_school(trust: Trust, hub: Hub | None = None, **fields) -> School:
    n = next(_counter)
    defaults = dict(
        urn=100000 + n % 800000,
        la_code="383",
        establishment_number=f"{n % 10000:04d}",
        name=f"School {n}",
        phase="primary",
        age_low=4,
        age_high=11,
        academy_type="converter",
        pupils_on_roll=300,
        capacity=320,
        has_early_years=True,
    )
    defaults.update(fields)
    return School.objects.create(trust=trust, hub=hub, **defaults)


def make_year(trust: Trust, start_year: int | None = None, current: bool = True) -> AcademicYear:
    start_year = start_year or current_academic_start_year()
    year = AcademicYear.objects.create(trust=trust, start_year=start_year, is_current=current)
    for name, starts_on, ends_on in default_term_dates(start_year):
        Term.objects.create(academic_year=year, name=name, starts_on=starts_on, ends_on=ends_on)
    return year


def make_user(label: str) -> User:
    return User.objects.create_user(
        email=f"{label}@world.example",
        password="pw-unused-123",
        full_name=label.replace("_", " ").title(),
    )


def grant(
    user: User,
    role: str,
    *,
    trust: Trust,
    hub: Hub | None = None,
    school: School | None = None,
    ends_on: datetime.date | None = None,
) -> Membership:
    today = timezone.localdate()
    return Membership.objects.create(
        user=user,
        role=role,
        trust=trust,
        hub=hub,
        school=school,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=ends_on,
    )


def build_world() -> World:
    # Access tests log in without a second factor; two-step login has its own tests.
    trust_a = Trust.objects.create(name="Trust A", slug="trust-a", mfa_policy="off")
    trust_b = Trust.objects.create(name="Trust B", slug="trust-b", mfa_policy="off")
    hub_1 = Hub.objects.create(trust=trust_a, name="H1")
    hub_2 = Hub.objects.create(trust=trust_a, name="H2")
    hub_b = Hub.objects.create(trust=trust_b, name="HB")
    school_a1 = make_school(trust_a, hub_1, name="A1 Primary")
    school_a2 = make_school(trust_a, hub_2, name="A2 Primary")
    school_b1 = make_school(trust_b, hub_b, name="B1 Primary")
    make_year(trust_a)
    make_year(trust_b)
    world = World(trust_a, trust_b, hub_1, hub_2, school_a1, school_a2, school_b1)
    world.extra["hub_b"] = hub_b
    today = timezone.localdate()
    for role in Role:
        user = make_user(role.value)
        level = ROLE_LEVEL[role]
        if level == ScopeLevel.TRUST:
            grant(user, role, trust=trust_a)
        elif level == ScopeLevel.HUB:
            grant(user, role, trust=trust_a, hub=hub_1)
        else:
            ends_on = today + datetime.timedelta(days=10) if role == Role.PEER_REVIEWER else None
            grant(user, role, trust=trust_a, school=school_a1, ends_on=ends_on)
        world.users[role.value] = user
    # The same roles in trust B, so out-of-scope objects exist with their own people.
    other = make_user("trust_b_leader")
    grant(other, Role.TRUST_LEADER, trust=trust_b)
    world.extra["trust_b_leader"] = other

    def invitee(target) -> Membership:
        """Someone given a role at the target's school who has not yet set a password."""
        n = next(_counter)
        user = User.objects.create_user(email=f"invitee{n}@world.example", full_name=f"Invitee {n}")
        return grant(user, Role.TEACHER, trust=target.trust, school=target.school)

    world.extra["invitee"] = invitee
    return world
