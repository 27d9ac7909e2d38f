"""The September reminder of published pocket guides (see trustwide/common/schedule.py)."""

from django.utils import timezone

from trustwide.common.schedule import Job

REMINDER_MONTH, REMINDER_DAY = 9, 3  # early in the autumn term, once staff are back


def september(now) -> str | None:
    """Due once a year from 3 September onwards (a scheduler that was down catches up that
    month, never for an earlier year)."""
    local = timezone.localtime(now)
    if local.month != REMINDER_MONTH or local.day < REMINDER_DAY:
        return None
    return f"{local.year}-09"


def _send(period, now):
    from .tasks import send_pocket_guide_reminders

    send_pocket_guide_reminders.enqueue(timezone.localdate(now).isoformat())


JOBS = [Job("pocket-guide-september-reminder", september, _send)]
