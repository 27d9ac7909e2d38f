"""The September switch of the current academic year (see trustwide/common/schedule.py):
checked once a day in September; outside September the job is never due."""

from django.utils import timezone

from trustwide.common.schedule import Job

SWITCH_HOUR = 1  # local time: before anyone starts the first school day


def _period(now):
    local = timezone.localtime(now)
    if local.month != 9 or local.hour < SWITCH_HOUR:
        return None
    return local.date().isoformat()


def _switch(period, now):
    # A handful of rows per trust: done in place rather than on the queue.
    from .years import switch_current_years

    switch_current_years(timezone.localdate(now))


JOBS = [Job("academic-year-switch", _period, _switch)]
