"""Scheduled feed jobs (see trustwide/common/schedule.py): every hour, the sources whose
interval has passed are run (each source says how often: runs.due_sources); every day from
STALE_HOUR, schools whose data is older than their trust's threshold get one warning."""

from django.utils import timezone

from trustwide.common.schedule import Job, hourly

STALE_HOUR = 7  # local time: after the night's feed runs, before the school day


def _run_due(period, now):
    from .tasks import run_due_sources

    run_due_sources.enqueue(now.isoformat())


def _daily(now):
    from .models import FeedSource

    local = timezone.localtime(now)
    if local.hour < STALE_HOUR or not FeedSource.objects.filter(is_enabled=True).exists():
        return None
    return local.date().isoformat()


def _warn(period, now):
    from .tasks import send_stale_warnings

    send_stale_warnings.enqueue(period)


JOBS = [Job("feed-sources", hourly(), _run_due), Job("feed-stale-data", _daily, _warn)]
