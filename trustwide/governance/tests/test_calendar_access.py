"""Issue 14 item 7d: the calendar feed ends with the person's access."""

from django.urls import reverse

from trustwide.audit.models import AuditEvent


def test_calendar_feed_404_once_access_has_ended(world, client):
    import datetime

    from django.utils import timezone

    from trustwide.accounts.models import Membership
    from trustwide.governance import services as governance_services

    governor = world.user("local_governor")
    url = reverse(
        "governance:calendar-feed", args=[governance_services.calendar_token_for(governor).token]
    )
    assert client.get(url).status_code == 200
    # The membership lapses by date (no one pressed "end"): the same address now answers 404.
    Membership.objects.filter(user=governor).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert client.get(url).status_code == 404


def test_ending_a_membership_rotates_the_calendar_token(world, client):
    from django.utils import timezone

    from trustwide.accounts import services as account_services
    from trustwide.accounts.models import Membership
    from trustwide.governance import services as governance_services
    from trustwide.governance.models import CalendarToken

    governor, admin = world.user("local_governor"), world.user("trust_administrator")
    old = governance_services.calendar_token_for(governor).token
    membership = Membership.objects.get(user=governor)
    # Ends at the end of today: still a member today, yet the old address is already dead.
    account_services.membership_end(
        actor=admin, membership=membership, ends_on=timezone.localdate()
    )
    new = CalendarToken.objects.get(user=governor).token
    assert new != old
    assert client.get(reverse("governance:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("governance:calendar-feed", args=[new])).status_code == 200
    events = AuditEvent.objects.filter(object_type="governance.calendartoken", actor=admin)
    assert [e.after for e in events] == [{"token": "(rotated)"}]
    assert (
        AuditEvent.objects.filter(
            object_type="accounts.membership", action="end", actor=admin
        ).count()
        == 1
    )
