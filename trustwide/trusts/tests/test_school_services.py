"""Schools and hubs through services (each asserts its audit event), and a school's dates in the
trust-wide pages: a school that left drops out of current roll-ups, one that joins mid-year
appears from its joining date, and URN links carry KPI history across a conversion."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.world import make_school
from trustwide.audit.models import AuditEvent
from trustwide.trusts import selectors, services
from trustwide.trusts.models import Hub, School

pytestmark = pytest.mark.django_db

FIELDS = dict(
    urn=141999,
    la_code="383",
    establishment_number="4001",
    name="Elm Academy",
    phase="primary",
    age_low=3,
    age_high=11,
    academy_type="converter",
    establishment_type="Academy converter",
    ukprn="10054321",
    has_nursery=True,
    street="2 Elm Road",
    town="Leeds",
    postcode="LS2 2BB",
    headteacher="Kim Lee",
    joined_trust_on=datetime.date(2024, 9, 1),
)


def last_event(**filters):
    return AuditEvent.objects.filter(**filters).order_by("-pk").first()


def test_school_create_is_audited_and_refuses_a_urn_of_another_trust(world):
    admin = world.user("trust_administrator")
    school = services.school_create(actor=admin, trust=world.trust_a, hub=world.hub_1, **FIELDS)
    event = last_event(object_type="trusts.school", object_id=str(school.pk))
    assert event.action == "create" and event.actor == admin and event.after["ukprn"] == "10054321"
    assert event.trust_id == world.trust_a.pk and event.school_id == school.pk
    with pytest.raises(ValidationError) as exc:
        services.school_create(
            actor=admin, trust=world.trust_a, **{**FIELDS, "urn": world.school_b1.urn}
        )
    assert exc.value.message_dict["urn"] == [
        f"URN {world.school_b1.urn} already belongs to a school in Trust B on this site."
    ]


def test_school_create_needs_school_edit_at_trust_level(world):
    for role in ("headteacher", "executive_headteacher", "trustee"):
        with pytest.raises(PermissionDenied):
            services.school_create(actor=world.user(role), trust=world.trust_a, **FIELDS)
    assert not School.objects.filter(urn=FIELDS["urn"]).exists()


def test_bad_ukprn_and_ages_are_refused_with_the_field(world):
    admin = world.user("trust_administrator")
    with pytest.raises(ValidationError) as exc:
        services.school_create(
            actor=admin, trust=world.trust_a, **{**FIELDS, "ukprn": "123", "age_high": 2}
        )
    assert "ukprn" in exc.value.message_dict and "age_high" in exc.value.message_dict


def test_school_close_keeps_the_school_and_is_audited(world):
    leader = world.user("trust_leader")
    school = world.school_a2
    services.school_close(actor=leader, school=school, left_trust_on=datetime.date(2025, 8, 31))
    school.refresh_from_db()
    assert school.left_trust_on == datetime.date(2025, 8, 31)
    event = last_event(object_type="trusts.school", object_id=str(school.pk))
    assert event.action == "close" and event.before["left_trust_on"] is None
    assert event.after["left_trust_on"] == "2025-08-31" and event.actor == leader
    with pytest.raises(ValidationError, match="already left"):
        services.school_close(actor=leader, school=school, left_trust_on=datetime.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        services.school_close(
            actor=world.user("headteacher"),
            school=world.school_a1,
            left_trust_on=datetime.date(2026, 1, 1),
        )


def test_close_before_joining_is_refused(world):
    school = make_school(world.trust_a, joined_trust_on=datetime.date(2024, 9, 1))
    with pytest.raises(ValidationError) as exc:
        services.school_close(
            actor=world.user("trust_administrator"),
            school=school,
            left_trust_on=datetime.date(2024, 1, 1),
        )
    assert "left_trust_on" in exc.value.message_dict


def test_hub_create_and_update_are_audited(world):
    admin = world.user("trust_administrator")
    hub = services.hub_create(actor=admin, trust=world.trust_a, name="North")
    assert last_event(object_type="trusts.hub", object_id=str(hub.pk)).action == "create"
    services.hub_update(
        actor=admin,
        hub=hub,
        name="North hub",
        executive_headteacher=world.user("executive_headteacher"),
    )
    event = last_event(object_type="trusts.hub", object_id=str(hub.pk))
    assert (
        event.action == "update"
        and event.before["name"] == "North"
        and event.after["name"] == "North hub"
    )
    with pytest.raises(PermissionDenied):
        services.hub_update(
            actor=world.user("executive_headteacher"), hub=Hub.objects.get(pk=hub.pk), name="Mine"
        )


def test_open_on_and_schools_open_on(world):
    a1, a2 = world.school_a1, world.school_a2
    School.objects.filter(pk=a2.pk).update(left_trust_on=datetime.date(2025, 8, 31))
    joiner = make_school(world.trust_a, joined_trust_on=datetime.date(2026, 1, 5))
    names = lambda day: set(selectors.schools_open_on(world.trust_a, day))  # noqa: E731
    assert names(datetime.date(2025, 8, 31)) == {a1, a2}
    assert names(datetime.date(2025, 9, 1)) == {a1}
    assert names(datetime.date(2026, 1, 5)) == {a1, joiner}
