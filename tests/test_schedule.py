"""The scheduler: the weekly digest goes out once per week, on Monday morning, without cron."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command

from trustwide.common import schedule
from trustwide.common.models import ScheduledRun
from trustwide.common.schedule import run_due, weekly
from trustwide.governance.models import CycleItem, CycleTask

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def only_the_digest(monkeypatch):
    """These tests are about the digest; other jobs (the hourly import sweep) are tested with
    their apps."""
    every = schedule.jobs
    monkeypatch.setattr(schedule, "jobs", lambda: [j for j in every() if j.name == "weekly-digest"])


def at(*args):
    return datetime.datetime(*args, tzinfo=LONDON)


def _due_task(world, due_on):
    item = CycleItem.objects.create(
        trust=world.trust_a, title="Safeguarding audit", role="headteacher", month=1
    )
    year = world.trust_a.academic_years.get(is_current=True)
    CycleTask.objects.create(
        item=item,
        trust=world.trust_a,
        academic_year=year,
        school=world.school_a1,
        role="headteacher",
        title="Safeguarding audit",
        due_on=due_on,
    )


def test_weekly_period_starts_monday_seven_local_time():
    period = weekly(0, 7)
    assert period(at(2026, 11, 23, 6, 59)) is None  # Monday before seven
    assert period(at(2026, 11, 23, 7, 0)) == "2026-W48"
    assert period(at(2026, 11, 29, 23, 59)) == "2026-W48"  # Sunday: same ISO week
    assert period(at(2026, 11, 30, 6, 0)) is None
    # 07:00 in London is 07:00 UTC in winter and 06:00 UTC in summer.
    utc = datetime.UTC
    assert period(datetime.datetime(2026, 6, 1, 6, 30, tzinfo=utc)) == "2026-W23"
    assert period(datetime.datetime(2026, 11, 30, 6, 30, tzinfo=utc)) is None


def test_digest_is_sent_once_a_week(world, settings):
    settings.TRUSTWIDE_DIGEST_WEEKDAY, settings.TRUSTWIDE_DIGEST_HOUR = 0, 7
    head = world.user("headteacher")
    _due_task(world, datetime.date(2026, 11, 20))  # overdue by Monday 23 November

    assert run_due(at(2026, 11, 23, 6, 0)) == []  # not yet
    assert mail.outbox == []
    assert run_due(at(2026, 11, 23, 7, 30)) == [("weekly-digest", "2026-W48")]
    assert [m.to for m in mail.outbox] == [[head.email]]
    assert (
        "Safeguarding audit" in mail.outbox[0].body and "was due 20/11/2026" in mail.outbox[0].body
    )
    # Later the same week (a restart, a second scheduler): nothing more.
    assert run_due(at(2026, 11, 25, 12, 0)) == []
    assert len(mail.outbox) == 1
    # A scheduler that was down on Monday catches up on Tuesday of the next week.
    assert run_due(at(2026, 12, 1, 9, 0)) == [("weekly-digest", "2026-W49")]
    assert len(mail.outbox) == 2
    assert list(ScheduledRun.objects.order_by("period").values_list("period", flat=True)) == [
        "2026-W48",
        "2026-W49",
    ]


def test_scheduler_once_for_cron(world, settings):
    settings.TRUSTWIDE_DIGEST_WEEKDAY, settings.TRUSTWIDE_DIGEST_HOUR = (
        0,
        0,
    )  # due from Monday 00:00
    _due_task(world, datetime.date.today())
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "Started weekly-digest for" in out.getvalue()
    assert len(mail.outbox) == 1
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert out.getvalue() == "" and len(mail.outbox) == 1


def test_the_scheduler_survives_a_failed_check(world, settings, monkeypatch):
    """One failed check (e.g. 'database is locked') is logged and the next check runs."""
    from django.db import OperationalError

    from trustwide.common.management.commands import scheduler

    settings.TRUSTWIDE_DIGEST_WEEKDAY, settings.TRUSTWIDE_DIGEST_HOUR = 0, 0
    _due_task(world, datetime.date.today())
    calls = []

    def flaky_run_due():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return run_due()

    class Stop(Exception):
        pass

    def sleep(seconds):
        if len(calls) >= 2:
            raise Stop

    monkeypatch.setattr(scheduler, "run_due", flaky_run_due)
    monkeypatch.setattr(scheduler.time, "sleep", sleep)
    monkeypatch.setattr(
        scheduler, "close_old_connections", lambda: None
    )  # keep the test's transaction
    with pytest.raises(Stop):
        call_command("scheduler", stdout=io.StringIO())
    assert len(calls) == 2 and len(mail.outbox) == 1
