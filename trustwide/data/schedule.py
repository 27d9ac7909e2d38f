"""The import sweep, hourly (see trustwide/common/schedule.py and data/reconcile.py)."""

from trustwide.common.schedule import Job, hourly


def _sweep(period, now):
    from .tasks import reconcile_imports

    reconcile_imports.enqueue()


JOBS = [Job("reconcile-imports", hourly(), _sweep)]
