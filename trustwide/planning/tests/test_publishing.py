"""Publishing pocket guides: audited, emailed on commit to the people the guide concerns, shown
on their home page; a public read-only link that can be revoked; the September reminder."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.planning import services
from trustwide.planning.models import GuidePublication
from trustwide.planning.schedule import september
from trustwide.planning.services.publishing import send_september_reminders

from .factories import plan_for, strategic_plan


def year(world):
    return world.trust_a.academic_years.get(is_current=True)


def events(obj, action):
    return list(
        AuditEvent.objects.filter(
            object_type="planning.guidepublication", object_id=str(obj.pk), action=action
        )
    )


def publish_msp(world, django_capture_on_commit_callbacks):
    strategic_plan(world.trust_a)
    with django_capture_on_commit_callbacks(execute=True):
        return services.pocket_guide_publish(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            academic_year=year(world),
            kind="msp",
        )


def test_publishing_the_trust_guide_emails_everyone_in_the_trust_on_commit(
    world, django_capture_on_commit_callbacks
):
    publication = publish_msp(world, django_capture_on_commit_callbacks)
    [event] = events(publication, "publish")
    assert event.actor == world.user("trust_leader") and event.trust_id == world.trust_a.pk
    recipients = {m.to[0] for m in mail.outbox}
    assert (
        world.user("teacher").email in recipients
        and world.user("local_governor").email in recipients
    )
    assert world.extra["trust_b_leader"].email not in recipients


def test_a_schools_guide_goes_to_its_staff_and_governors_only(
    world, django_capture_on_commit_callbacks
):
    plan_for(world.school_a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.pocket_guide_publish(
            actor=world.user("headteacher"),
            trust=world.trust_a,
            academic_year=year(world),
            kind="sip",
            school=world.school_a1,
        )
    recipients = {m.to[0] for m in mail.outbox}
    assert {world.user("teacher").email, world.user("local_governor").email} <= recipients
    assert (
        world.user("trust_leader").email not in recipients
    )  # a trust-level membership, not the school's


def test_nothing_is_emailed_when_publishing_fails(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="no SIP"),
    ):
        services.pocket_guide_publish(
            actor=world.user("headteacher"),
            trust=world.trust_a,
            academic_year=year(world),
            kind="sip",
            school=world.school_a1,
        )
    assert not mail.outbox and not GuidePublication.objects.exists()


@pytest.mark.parametrize(
    "kind, school, message",
    [
        ("msp", None, "no trust pocket guide"),
        ("poster", None, "'poster' is not a pocket guide"),
        ("sip", None, "Choose the school"),
    ],
)
def test_bad_publications_are_refused_clearly(world, kind, school, message):
    with pytest.raises(ValidationError, match=message):
        services.pocket_guide_publish(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            academic_year=year(world),
            kind=kind,
            school=school,
        )


def test_publishing_twice_is_refused(world, django_capture_on_commit_callbacks):
    publish_msp(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Already published"):
        services.pocket_guide_publish(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            academic_year=year(world),
            kind="msp",
        )


@pytest.mark.parametrize("role", ["teacher", "headteacher", "trustee", "local_governor"])
def test_only_trust_leaders_publish_the_trust_guide(world, role):
    strategic_plan(world.trust_a)
    with pytest.raises(PermissionDenied):
        services.pocket_guide_publish(
            actor=world.user(role), trust=world.trust_a, academic_year=year(world), kind="msp"
        )


def test_teacher_sees_the_published_guide_on_the_home_page(
    world, login, django_capture_on_commit_callbacks
):
    publish_msp(world, django_capture_on_commit_callbacks)
    page = login(world.user("teacher")).get(reverse("accounts:home")).content.decode()
    assert "Pocket guide published" in page
    page = login(world.extra["trust_b_leader"]).get(reverse("accounts:home")).content.decode()
    assert "Pocket guide published" not in page


def test_public_link_shows_the_guide_without_login_and_dies_when_revoked(
    world, client, django_capture_on_commit_callbacks
):
    publication = publish_msp(world, django_capture_on_commit_callbacks)
    ceo = world.user("trust_leader")
    with pytest.raises(PermissionDenied):
        services.pocket_guide_share_public(actor=world.user("headteacher"), publication=publication)
    publication = services.pocket_guide_share_public(actor=ceo, publication=publication)
    assert len(publication.public_token) >= 40 and events(publication, "share public link")
    url = reverse("planning:public-pocket-guide", args=[publication.public_token])
    page = client.get(url)
    assert page.status_code == 200 and "MSP1: Removing disadvantage" in page.content.decode()
    assert world.user("trust_leader").full_name not in page.content.decode()
    services.pocket_guide_revoke_public(actor=ceo, publication=publication)
    assert client.get(url).status_code == 404 and events(publication, "revoke public link")
    with pytest.raises(ValidationError, match="no public link"):
        services.pocket_guide_revoke_public(
            actor=ceo, publication=GuidePublication.objects.get(pk=publication.pk)
        )


def test_september_reminder_is_due_once_in_september(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    assert september(datetime.datetime(2026, 8, 31, 9, tzinfo=tz)) is None
    assert september(datetime.datetime(2026, 9, 2, 9, tzinfo=tz)) is None
    assert september(datetime.datetime(2026, 9, 3, 9, tzinfo=tz)) == "2026-09"
    assert september(datetime.datetime(2026, 9, 20, 9, tzinfo=tz)) == "2026-09"
    assert september(datetime.datetime(2026, 10, 1, 9, tzinfo=tz)) is None
    publish_msp(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    sent = send_september_reminders(year(world).starts_on + datetime.timedelta(days=2))
    assert sent == len(mail.outbox) > 0 and mail.outbox[0].subject.startswith("Reminder:")
