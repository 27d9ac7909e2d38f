"""Background jobs: thin wrappers over runs.py and notify.py (django-tasks)."""

from django_tasks import task


@task()
def run_source(source_id: int, trigger: str = "scheduler") -> str:
    from .models import FeedSource
    from .runs import source_run

    source = FeedSource.objects.filter(pk=source_id, is_enabled=True).first()
    if source is None:
        return "disabled"
    return source_run(source=source, trigger=trigger).status


@task()
def run_due_sources(now_iso: str | None = None) -> int:
    """Run the sources due at `now_iso` (the scheduler's moment; default: now)."""
    import datetime

    from .runs import due_sources

    due = due_sources(datetime.datetime.fromisoformat(now_iso) if now_iso else None)
    for source in due:
        run_source.enqueue(source.pk)
    return len(due)


@task()
def send_stale_warnings(day: str) -> int:
    import datetime

    from .notify import stale_warnings_send

    return stale_warnings_send(datetime.date.fromisoformat(day))
