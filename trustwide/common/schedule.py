"""Scheduled jobs: work the product does on a calendar (the weekly email digest) without cron.

Each domain app may offer `schedule.JOBS`, a list of `Job`. `run_due(now)` enqueues, on the
background queue (django-tasks), every job whose current period has not run yet, recording the
run in `ScheduledRun` first so that a period runs once however many schedulers are started.
`trustwide scheduler` calls it every minute (`trustwide serve` starts it beside the worker);
`trustwide scheduler --once` is the same for a cron entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .extensions import app_modules


@dataclass(frozen=True)
class Job:
    name: str
    # The period `now` falls in if the job is due in it (e.g. '2026-W48'), else None.
    period: Callable[[datetime.datetime], str | None]
    # Starts the work for that period (normally: enqueue a background task).
    run: Callable[[str, datetime.datetime], None]


def weekly(weekday: int, hour: int) -> Callable[[datetime.datetime], str | None]:
    """Due once per ISO week from `weekday` (0 = Monday) at `hour` local time onwards; a
    scheduler that was down at that moment catches up later in the same week, never for
    earlier weeks."""

    def period(now: datetime.datetime) -> str | None:
        local = timezone.localtime(now)
        if (local.weekday(), local.hour) < (weekday, hour):
            return None
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"

    return period


def hourly() -> Callable[[datetime.datetime], str | None]:
    """Due once per hour (the period is the hour, e.g. '2026-12-06T17')."""

    def period(now: datetime.datetime) -> str:
        return timezone.localtime(now).strftime("%Y-%m-%dT%H")

    return period


def jobs() -> list[Job]:
    return [job for module in app_modules("schedule") for job in getattr(module, "JOBS", [])]


def run_due(now: datetime.datetime | None = None) -> list[tuple[str, str]]:
    """Start every job due now whose period has not run; return the (job, period) started."""
    from .models import ScheduledRun

    now = now or timezone.now()
    started = []
    for job in jobs():
        period = job.period(now)
        if period is None or ScheduledRun.objects.filter(job=job.name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, period=period)
                job.run(period, now)
        except IntegrityError:  # another scheduler took this period first
            continue
        started.append((job.name, period))
    return started


def _prune_pdfs(period, now):
    from .pdfs import prune_pdfs

    prune_pdfs.enqueue()


# Cached PDFs are keyed on the day: earlier days' files are never served again.
JOBS = [Job("prune-cached-pdfs", hourly(), _prune_pdfs)]
