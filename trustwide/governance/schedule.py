"""The weekly email digest, sent on Monday mornings (see trustwide/common/schedule.py)."""

from django.conf import settings
from django.utils import timezone

from trustwide.common.schedule import Job, weekly


def _period(now):
    # Read the settings on each check, so a changed setting needs no restart of this module.
    return weekly(settings.TRUSTWIDE_DIGEST_WEEKDAY, settings.TRUSTWIDE_DIGEST_HOUR)(now)


def _send(period, now):
    from .tasks import send_weekly_digest

    send_weekly_digest.enqueue(timezone.localdate(now).isoformat())


JOBS = [Job("weekly-digest", _period, _send)]
