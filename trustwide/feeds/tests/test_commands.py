"""`trustwide feeds run` and the scheduled jobs."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from trustwide.common.schedule import run_due
from trustwide.feeds.models import FeedRun, FeedSource, RunStatus

from .conftest import settle


@pytest.fixture
def source(year_2025, feed_root):
    (feed_root / "oak").mkdir()
    return FeedSource.objects.create(
        trust=year_2025.trust_a, school=year_2025.school_a1, kind="folder", folder="oak"
    )


def test_feeds_run_imports_one_source_and_reports(source, feed_root, world, capsys):
    path = feed_root / "oak" / "characteristics.csv"
    path.write_text(
        "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL\n"
        f"{world.school_a1.urn},A123456789012,Jones,Siân,03/05/2016,4,F,Y,Y,N,N\n"
    )
    settle(path)

    call_command("feeds", "run", "--source", str(source.pk))

    assert "Imported; characteristics 1" in capsys.readouterr().out
    assert FeedRun.objects.get().trigger == "trustwide feeds run"


def test_feeds_run_fails_loudly_for_a_failing_source(source, feed_root, capsys):
    (feed_root / "oak" / "nonsense.csv").write_text("a,b\n1,2\n")
    settle(feed_root / "oak" / "nonsense.csv")

    with pytest.raises(CommandError, match="1 source"):
        call_command("feeds", "run", "--source", str(source.pk))
    assert "nonsense.csv: The name does not say" in capsys.readouterr().out


def test_the_scheduler_runs_due_sources_once_per_interval(source, world):
    now = timezone.now()
    started = run_due(now)

    assert ("feed-sources", timezone.localtime(now).strftime("%Y-%m-%dT%H")) in started
    assert FeedRun.objects.filter(source=source).count() == 1
    assert FeedRun.objects.get().status == RunStatus.NOTHING_NEW
    source.refresh_from_db()
    assert source.last_run_at is not None
    # The next hour: not due again before its 24 hours have passed.
    run_due(now + datetime.timedelta(hours=1))
    assert FeedRun.objects.count() == 1
    run_due(now + datetime.timedelta(hours=24, minutes=1))
    assert FeedRun.objects.count() == 2


def test_a_source_already_running_is_not_started_twice(source, world):
    under_way = FeedRun.objects.create(
        source=source, started_at=timezone.now(), status=RunStatus.RUNNING
    )

    call_command("feeds", "run", "--source", str(source.pk))

    assert list(FeedRun.objects.all()) == [under_way]
