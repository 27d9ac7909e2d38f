"""The level-aware scope answers the apps' rules now ask instead of reading memberships
themselves: 'my own school' (school level), 'my hub' (hub level), and services' allowance for
commands (actor None)."""

from trustwide.access import (
    Perm,
    actor_can,
    actor_can_in_trust,
    hub_ids_at,
    school_ids,
    school_ids_at,
    trust_ids_at,
)
from trustwide.accounts.roles import ScopeLevel


def test_school_ids_at_is_own_school_only_not_schools_covered_from_above(world):
    assert school_ids_at(world.user("headteacher"), Perm.PLAN_VIEW) == {world.school_a1.pk}
    # A trust leader and an executive headteacher read A1's plans too, but not as its own
    # leaders: the head's commentary reminder (dashboards) is for the school's own leaders only.
    for role in ("trust_leader", "executive_headteacher"):
        assert world.school_a1.pk in school_ids(world.user(role), Perm.PLAN_VIEW)
        assert school_ids_at(world.user(role), Perm.PLAN_VIEW) == set()


def test_hub_ids_at_is_the_hub_membership_only(world):
    assert hub_ids_at(world.user("executive_headteacher"), Perm.KPI_VIEW) == {world.hub_1.pk}
    assert hub_ids_at(world.user("trust_leader"), Perm.KPI_VIEW) == set()
    assert hub_ids_at(world.user("headteacher"), Perm.KPI_VIEW) == set()


def test_trust_or_hub_level_readers_see_the_trust_overview_but_school_staff_do_not(world):
    levels = (ScopeLevel.TRUST, ScopeLevel.HUB)
    assert world.trust_a.pk in trust_ids_at(
        world.user("executive_headteacher"), Perm.SEF_VIEW, levels=levels
    )
    assert world.trust_a.pk in trust_ids_at(
        world.user("trust_leader"), Perm.SEF_VIEW, levels=levels
    )
    assert trust_ids_at(world.user("headteacher"), Perm.SEF_VIEW, levels=levels) == set()


def test_actor_none_is_a_command_and_may_while_a_user_needs_the_permission(world):
    assert actor_can(None, Perm.PLAN_EDIT, world.school_b1)
    assert actor_can_in_trust(None, Perm.SUPPORT_MANAGE, world.trust_b.pk)
    assert actor_can(world.user("headteacher"), Perm.PLAN_EDIT, world.school_a1)
    assert not actor_can(world.user("headteacher"), Perm.PLAN_EDIT, world.school_b1)
    assert not actor_can_in_trust(world.user("headteacher"), Perm.SUPPORT_MANAGE, world.trust_a.pk)
