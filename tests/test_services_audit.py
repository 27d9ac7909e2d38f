"""Every write goes through a service that records who, when, where and before/after."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trustwide.accounts import services as account_services
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent
from trustwide.trusts import services as trust_services
from trustwide.trusts.models import School


def events_for(instance):
    return list(
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        )
    )


def test_school_update_records_before_and_after(world):
    leader = world.user("trust_leader")
    school = world.school_a1
    trust_services.school_update(
        actor=leader, school=school, pupils_on_roll=412, name="A1 Primary Academy"
    )
    [event] = events_for(school)
    assert event.action == "update"
    assert event.actor == leader and event.actor_label == str(leader)
    assert event.trust_id == world.trust_a.pk and event.school_id == school.pk
    assert event.before["pupils_on_roll"] == 300 and event.after["pupils_on_roll"] == 412
    assert event.before["name"] == "A1 Primary" and event.after["name"] == "A1 Primary Academy"
    changed = {name for name, _, _ in event.changed_fields}
    assert changed == {"pupils_on_roll", "name"}


def test_unchanged_update_writes_no_event(world):
    trust_services.school_update(
        actor=world.user("trust_leader"), school=world.school_a1, pupils_on_roll=300
    )
    assert events_for(world.school_a1) == []


def test_school_update_refused_outside_scope_and_nothing_written(world):
    with pytest.raises(PermissionDenied):
        trust_services.school_update(
            actor=world.user("trust_leader"), school=world.school_b1, pupils_on_roll=1
        )
    with pytest.raises(PermissionDenied):
        trust_services.school_update(
            actor=world.user("headteacher"), school=world.school_a1, pupils_on_roll=1
        )
    assert School.objects.get(pk=world.school_b1.pk).pupils_on_roll == 300
    assert not AuditEvent.objects.filter(object_type="trusts.school").exists()


def test_invalid_update_saves_nothing(world):
    with pytest.raises(ValidationError):
        trust_services.school_update(
            actor=world.user("trust_leader"), school=world.school_a1, age_low=12, age_high=11
        )
    assert School.objects.get(pk=world.school_a1.pk).age_low == 4
    assert not AuditEvent.objects.filter(object_type="trusts.school").exists()


def test_membership_create_and_end_are_audited(world):
    admin = world.user("trust_administrator")
    user = account_services.user_get_or_create(
        actor=admin, trust=world.trust_a, email="New.Teacher@World.example", full_name="New Teacher"
    )
    assert user.email == "new.teacher@world.example" and not user.has_usable_password()
    membership = account_services.membership_create(
        actor=admin, user=user, role=Role.TEACHER, trust=world.trust_a, school=world.school_a2
    )
    account_services.membership_end(
        actor=admin, membership=membership, ends_on=datetime.date(2031, 7, 31)
    )
    create_user = AuditEvent.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert create_user.action == "create" and create_user.trust_id == world.trust_a.pk
    assert "password" not in create_user.after
    events = events_for(membership)
    assert [e.action for e in events] == ["end", "create"]  # newest first
    assert events[0].before["ends_on"] is None and events[0].after["ends_on"] == "2031-07-31"
    assert events[1].school_id == world.school_a2.pk


def test_membership_rules(world):
    admin = world.user("trust_administrator")
    user = world.user("teacher")
    with pytest.raises(ValidationError) as exc:
        account_services.membership_create(
            actor=admin,
            user=user,
            role=Role.PEER_REVIEWER,
            trust=world.trust_a,
            school=world.school_a2,
        )
    assert "time-boxed" in str(exc.value)
    with pytest.raises(ValidationError):
        account_services.membership_create(
            actor=admin, user=user, role=Role.HEADTEACHER, trust=world.trust_a
        )
    with pytest.raises(ValidationError):  # a school of another trust
        account_services.membership_create(
            actor=admin, user=user, role=Role.TEACHER, trust=world.trust_a, school=world.school_b1
        )
    with pytest.raises(PermissionDenied):
        account_services.membership_create(
            actor=world.user("headteacher"),
            user=user,
            role=Role.TEACHER,
            trust=world.trust_a,
            school=world.school_a1,
        )


def test_audit_write_rolls_back_with_the_change(world, monkeypatch):
    from trustwide.audit import services as audit_services

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit_services, "record_event", broken)
    with pytest.raises(RuntimeError):
        trust_services.school_update(
            actor=world.user("trust_leader"), school=world.school_a1, pupils_on_roll=999
        )
    assert School.objects.get(pk=world.school_a1.pk).pupils_on_roll == 300


def test_academic_year_has_three_terms_and_one_current(world):
    year = trust_services.academic_year_create(
        actor=world.user("trust_leader"), trust=world.trust_a, start_year=2030, is_current=True
    )
    terms = list(year.terms.all())
    assert [t.name for t in terms] == ["autumn", "spring", "summer"]
    assert year.label == "2030/31" and year.starts_on == datetime.date(2030, 9, 1)
    assert all(year.starts_on <= t.starts_on <= t.ends_on <= year.ends_on for t in terms)
    assert world.trust_a.academic_years.filter(is_current=True).count() == 1
    assert year.term_on(datetime.date(2031, 2, 3)).name == "spring"
