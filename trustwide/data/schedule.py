"""Scheduled pupil-data jobs (see trustwide/common/schedule.py): the import sweep, hourly
(data/reconcile.py), and the daily retention job (data/erasure.py)."""

from django.utils import timezone

from trustwide.common.schedule import Job, hourly

RETENTION_HOUR = 2  # local time: after the night's imports, before the school day


def _sweep(period, now):
    from .tasks import reconcile_imports

    reconcile_imports.enqueue()


def _daily(now):
    """Due once a day from RETENTION_HOUR, and only in an installation where a trust set a rule."""
    from .models import PupilRetentionRule

    local = timezone.localtime(now)
    if local.hour < RETENTION_HOUR or not PupilRetentionRule.objects.exists():
        return None
    return local.date().isoformat()


def _run(period, now):
    from .tasks import apply_retention_rules

    apply_retention_rules.enqueue(period)


JOBS = [Job("reconcile-imports", hourly(), _sweep), Job("pupil-data-retention", _daily, _run)]
