"""trust_ids_at and trust-wide rows in restrict(): the scope questions apps used to rebuild.

Models are looked up by name so that access (a foundation package) does not import domain
apps: risks (trust-wide rows read at trust and hub level), policies (read at every level) and
governance (trust level only, the default)."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from tests.world import grant, make_user
from trustwide.access import (
    Perm,
    can_at,
    holds_role_at,
    reads_trust_wide,
    restrict,
    restrict_to_held_roles,
    trust_ids_at,
)
from trustwide.accounts.roles import Role, ScopeLevel

pytestmark = pytest.mark.django_db


def _risk(trust, school=None, title="R"):
    Risk = apps.get_model("risks", "Risk")
    return Risk.objects.create(
        trust=trust,
        school=school,
        title=title,
        category="financial",
        inherent_likelihood=3,
        inherent_impact=3,
        residual_likelihood=2,
        residual_impact=2,
        review_on=timezone.localdate(),
    )


def _policy(trust, school=None, title="P"):
    return apps.get_model("policies", "Policy").objects.create(
        trust=trust, school=school, title=title, category="safeguarding"
    )


def _body(trust, school=None, name="Board"):
    kind = "lgc" if school else "board"
    return apps.get_model("governance", "GoverningBody").objects.create(
        trust=trust, school=school, name=name, kind=kind
    )


def _titles(model_qs, user, perm):
    field = "title" if hasattr(model_qs.model, "title") else "name"
    return set(restrict(model_qs, user, perm).values_list(field, flat=True))


def test_trust_ids_at_counts_only_the_levels_asked_for(world):
    leader, eht, head = (
        world.user("trust_leader"),
        world.user("executive_headteacher"),
        world.user("headteacher"),
    )
    assert trust_ids_at(leader, Perm.RISK_VIEW) == {world.trust_a.pk}
    assert trust_ids_at(eht, Perm.RISK_VIEW) == set()
    assert trust_ids_at(eht, Perm.RISK_VIEW, levels=(ScopeLevel.TRUST, ScopeLevel.HUB)) == {
        world.trust_a.pk
    }
    assert trust_ids_at(head, Perm.RISK_VIEW, levels=(ScopeLevel.TRUST, ScopeLevel.HUB)) == set()
    # The permission must be held: a trust data manager holds no risk.view at all.
    assert trust_ids_at(world.user("trust_data_manager"), Perm.RISK_VIEW) == set()


def test_trust_ids_at_ignores_ended_memberships(world):
    user = make_user("former_leader")
    grant(
        user,
        Role.TRUST_LEADER,
        trust=world.trust_a,
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert trust_ids_at(user, Perm.RISK_VIEW) == set()


def test_trust_wide_rows_read_at_the_declared_levels_and_edited_at_trust_level(world):
    Risk = apps.get_model("risks", "Risk")
    _risk(world.trust_a, None, "Trust A risk")
    _risk(world.trust_a, world.school_a1, "A1 risk")
    _risk(world.trust_a, world.school_a2, "A2 risk")
    _risk(world.trust_b, None, "Trust B risk")
    everything = Risk.objects.all()
    # Trust level: every school's rows and the trust's own, never another trust's.
    assert _titles(everything, world.user("trust_leader"), Perm.RISK_VIEW) == {
        "Trust A risk",
        "A1 risk",
        "A2 risk",
    }
    assert _titles(everything, world.user("trust_leader"), Perm.RISK_EDIT) == {
        "Trust A risk",
        "A1 risk",
        "A2 risk",
    }
    # Hub level (a declared reader): its hub's schools and the trust rows, read only.
    eht = world.user("executive_headteacher")
    assert _titles(everything, eht, Perm.RISK_VIEW) == {"Trust A risk", "A1 risk"}
    assert _titles(everything, eht, Perm.RISK_EDIT) == {"A1 risk"}
    # School level (not a declared reader for risks): its school only.
    assert _titles(everything, world.user("headteacher"), Perm.RISK_VIEW) == {"A1 risk"}
    # Another trust's leader sees only their own trust's row.
    assert _titles(everything, world.extra["trust_b_leader"], Perm.RISK_VIEW) == {"Trust B risk"}


def test_trust_wide_rows_readable_at_every_level_when_declared(world):
    Policy = apps.get_model("policies", "Policy")
    _policy(world.trust_a, None, "Trust A policy")
    _policy(world.trust_a, world.school_a2, "A2 policy")
    _policy(world.trust_b, None, "Trust B policy")
    head = world.user("headteacher")
    assert _titles(Policy.objects.all(), head, Perm.POLICY_VIEW) == {"Trust A policy"}
    # Any permission other than the model's view permission needs trust level.
    assert _titles(Policy.objects.all(), head, Perm.POLICY_EDIT) == set()
    assert _titles(Policy.objects.all(), world.user("trust_administrator"), Perm.POLICY_EDIT) == {
        "Trust A policy",
        "A2 policy",
    }


def test_trust_wide_rows_default_to_trust_level_readers_through_a_path(world):
    Meeting = apps.get_model("governance", "Meeting")
    board = _body(world.trust_a, None, "Board")
    lgc = _body(world.trust_a, world.school_a1, "A1 LGC")
    Meeting.objects.create(body=board, held_on=timezone.localdate(), title="Board meeting")
    Meeting.objects.create(body=lgc, held_on=timezone.localdate(), title="LGC meeting")
    assert _titles(Meeting.objects.all(), world.user("trustee"), Perm.GOVERNANCE_VIEW) == {
        "Board meeting",
        "LGC meeting",
    }
    assert _titles(
        Meeting.objects.all(), world.user("executive_headteacher"), Perm.GOVERNANCE_VIEW
    ) == {"LGC meeting"}
    assert _titles(Meeting.objects.all(), world.user("local_governor"), Perm.GOVERNANCE_VIEW) == {
        "LGC meeting"
    }
    assert (
        _titles(Meeting.objects.all(), world.extra["trust_b_leader"], Perm.GOVERNANCE_VIEW) == set()
    )


def test_a_model_without_trust_wide_rows_keeps_them_out(world):
    # Schools declare no trust-wide rows: a school-level user gets their school and nothing else.
    School = apps.get_model("trusts", "School")
    assert not getattr(School, "scope_trust_wide", False)
    assert set(restrict(School.objects.all(), world.user("headteacher"), Perm.SCHOOL_VIEW)) == {
        world.school_a1
    }


def test_roles_are_held_where_the_row_is(world):
    CycleTask = apps.get_model("governance", "CycleTask")
    year = world.trust_a.academic_years.get()
    common = dict(trust=world.trust_a, academic_year=year, due_on=timezone.localdate(), title="T")
    at_a1 = CycleTask.objects.create(school=world.school_a1, role=Role.HEADTEACHER, **common)
    at_a2 = CycleTask.objects.create(school=world.school_a2, role=Role.HEADTEACHER, **common)
    trust_task = CycleTask.objects.create(school=None, role=Role.TRUST_LEADER, **common)
    eht_task = CycleTask.objects.create(
        school=world.school_a1, role=Role.EXECUTIVE_HEADTEACHER, **common
    )
    head, leader, eht = (
        world.user("headteacher"),
        world.user("trust_leader"),
        world.user("executive_headteacher"),
    )

    def mine(user):
        return set(restrict_to_held_roles(CycleTask.objects.all(), user, Perm.TRUST_VIEW))

    assert mine(head) == {at_a1}
    assert mine(leader) == {trust_task}
    assert mine(eht) == {eht_task}
    assert mine(world.extra["trust_b_leader"]) == set()
    assert holds_role_at(
        head, Perm.TRUST_VIEW, Role.HEADTEACHER, trust_id=world.trust_a.pk, school=world.school_a1
    )
    assert not holds_role_at(
        head, Perm.TRUST_VIEW, Role.HEADTEACHER, trust_id=world.trust_a.pk, school=world.school_a2
    )
    assert not holds_role_at(
        eht, Perm.TRUST_VIEW, Role.EXECUTIVE_HEADTEACHER, trust_id=world.trust_a.pk
    )
    assert holds_role_at(leader, Perm.TRUST_VIEW, Role.TRUST_LEADER, trust_id=world.trust_a.pk)
    assert at_a2 not in mine(head)


def test_can_at_needs_trust_level_for_a_trust_wide_row(world):
    head, leader = world.user("headteacher"), world.user("trust_leader")
    assert can_at(head, Perm.RISK_EDIT, trust_id=world.trust_a.pk, school=world.school_a1)
    assert not can_at(head, Perm.RISK_EDIT, trust_id=world.trust_a.pk, school=world.school_a2)
    assert not can_at(head, Perm.RISK_EDIT, trust_id=world.trust_a.pk)
    assert can_at(leader, Perm.RISK_EDIT, trust_id=world.trust_a.pk)
    assert not can_at(leader, Perm.RISK_EDIT, trust_id=world.trust_b.pk)


def test_reads_trust_wide_follows_the_models_readers(world):
    Risk, Policy = apps.get_model("risks", "Risk"), apps.get_model("policies", "Policy")
    GoverningBody = apps.get_model("governance", "GoverningBody")
    eht, head = world.user("executive_headteacher"), world.user("headteacher")
    assert reads_trust_wide(eht, Risk, world.trust_a) and not reads_trust_wide(
        head, Risk, world.trust_a
    )
    assert reads_trust_wide(head, Policy, world.trust_a)
    assert not reads_trust_wide(eht, GoverningBody, world.trust_a)
    assert reads_trust_wide(world.user("trustee"), GoverningBody, world.trust_a)
    assert not reads_trust_wide(world.user("trustee"), GoverningBody, world.trust_b)
