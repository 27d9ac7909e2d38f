"""The stale-data email: a school with a feed whose newest stored data is older than the trust's
threshold is warned once a day, to its data managers, however often the check runs."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from trustwide.data.models import ImportBatch, ImportStatus
from trustwide.feeds import services
from trustwide.feeds.models import FeedSource
from trustwide.feeds.notify import stale_warnings_send

TODAY = datetime.date(2026, 3, 16)


def stored_import(school, days_before_today: int):
    finished = timezone.make_aware(
        datetime.datetime.combine(
            TODAY - datetime.timedelta(days=days_before_today), datetime.time(9)
        )
    )
    return ImportBatch.objects.create(
        trust=school.trust,
        school=school,
        dataset="attendance_marks",
        academic_year=2025,
        file_name="marks.csv",
        status=ImportStatus.STORED,
        finished_at=finished,
    )


@pytest.fixture
def feed(world):
    return FeedSource.objects.create(
        trust=world.trust_a, school=world.school_a1, kind="folder", folder="oak"
    )


def test_old_data_warns_the_data_manager_once_a_day(feed, world):
    stored_import(world.school_a1, days_before_today=15)  # default threshold: 14 days

    assert stale_warnings_send(TODAY) == 1
    assert stale_warnings_send(TODAY) == 0  # the scheduler checks again: no second email
    (message,) = mail.outbox
    assert message.to == [world.user("school_data_manager").email]
    assert "more than 14 days old" in message.subject and world.school_a1.name in message.subject
    assert "15 days ago" in message.body and "/trusts/trust-a/feeds/" in message.body

    assert stale_warnings_send(TODAY + datetime.timedelta(days=1)) == 1  # the next day: again
    assert len(mail.outbox) == 2


def test_fresh_data_sends_nothing(feed, world):
    stored_import(world.school_a1, days_before_today=14)

    assert stale_warnings_send(TODAY) == 0 and mail.outbox == []


def test_the_trust_sets_the_threshold(feed, world):
    stored_import(world.school_a1, days_before_today=5)
    services.settings_save(
        actor=world.user("trust_data_manager"), trust=world.trust_a, stale_after_days=3
    )

    assert stale_warnings_send(TODAY) == 1
    assert "more than 3 days old" in mail.outbox[0].subject


def test_a_school_that_never_had_data_is_warned(feed, world):
    assert stale_warnings_send(TODAY) == 1
    assert "No pupil data has been stored" in mail.outbox[0].body


def test_a_file_naming_several_schools_counts_for_each(feed, world):
    batch = stored_import(world.school_a1, days_before_today=2)
    ImportBatch.objects.filter(pk=batch.pk).update(school=None, school_urns=[world.school_a1.urn])

    assert stale_warnings_send(TODAY) == 0


def test_schools_without_an_enabled_feed_are_not_warned(feed, world):
    FeedSource.objects.filter(pk=feed.pk).update(is_enabled=False)

    assert stale_warnings_send(TODAY) == 0 and mail.outbox == []


def test_with_no_school_data_manager_the_trust_data_managers_are_told(feed, world):
    world.user("school_data_manager").memberships.update(
        ends_on=TODAY - datetime.timedelta(days=400)
    )

    assert stale_warnings_send(TODAY) == 1
    assert mail.outbox[0].to == [world.user("trust_data_manager").email]
