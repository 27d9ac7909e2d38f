"""Audit actions are a closed list: an unknown verb is refused before anything is written, and
the trust audit page shows each action's label."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trustwide.audit.models import AuditAction, AuditEvent
from trustwide.audit.services import audited_update, record_event
from trustwide.trusts import services as trust_services


def test_record_event_refuses_a_verb_not_in_the_list(world):
    with pytest.raises(ValueError, match="Unknown audit action 'approve'"):
        record_event(
            actor=world.user("trust_leader"),
            action="approve",
            instance=world.school_a1,
            before=None,
            after=None,
        )
    assert not AuditEvent.objects.exists()


def test_audited_update_refuses_an_unknown_verb_and_saves_nothing(world):
    school = world.school_a1
    with pytest.raises(ValueError):
        audited_update(
            actor=world.user("trust_leader"), instance=school, action="rename", name="Renamed"
        )
    school.refresh_from_db()
    assert school.name == "A1 Primary"
    assert not AuditEvent.objects.exists()


def test_every_listed_verb_is_accepted_and_stored_as_its_value(world):
    for action in (AuditAction.END, AuditAction.CHANGED_AFTER_AGREEMENT):
        event = record_event(
            actor=None, action=action, instance=world.school_a1, before=None, after=None
        )
        event.refresh_from_db()
        assert event.action == action.value


def test_trust_audit_page_shows_action_labels(world, login):
    leader = world.user("trust_leader")
    trust_services.school_update(actor=leader, school=world.school_a1, pupils_on_roll=401)
    record_event(
        actor=leader,
        action=AuditAction.OVERRIDE_SMART,
        instance=world.school_a1,
        before=None,
        after=None,
    )
    page = login(leader).get(reverse("audit:trust-audit", kwargs={"slug": world.trust_a.slug}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<td>Updated</td>" in body and "<td>SMART check overridden</td>" in body
    assert "<td>update</td>" not in body
