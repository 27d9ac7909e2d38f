"""Background jobs: thin wrappers over services (django-tasks, database backend)."""

from django_tasks import task

from .models import ImportBatch


@task()
def run_import(batch_id: int) -> str:
    from .services import import_batch_run

    batch = ImportBatch.objects.select_related("trust", "school", "uploaded_by").get(pk=batch_id)
    batch = import_batch_run(batch=batch)
    return batch.status


@task()
def reconcile_imports() -> int:
    from .reconcile import import_batches_reconcile

    return len(import_batches_reconcile())


@task()
def apply_retention_rules(day: str) -> dict:
    """Erase pupils past their trust's retention rule (data/schedule.py starts it daily)."""
    import datetime

    from .erasure import retention_run

    return retention_run(today=datetime.date.fromisoformat(day))
