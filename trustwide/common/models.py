from django.db import models


class ScheduledRun(models.Model):
    """One run of a scheduled job for one period (e.g. the weekly digest of ISO week 2026-W48).

    The unique pair makes the schedule idempotent: however many scheduler processes run, or
    however often one restarts, a job runs at most once per period.
    """

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once_per_period")
        ]
        ordering = ["-enqueued_at"]

    def __str__(self):
        return f"{self.job} {self.period}"


class TaskWorker(models.Model):
    """A running `trustwide worker` process, seen by its heartbeat.

    django-tasks-db records which worker claimed a task (`worker_ids`) but not whether that
    worker still lives; this row does. A RUNNING task whose worker has no fresh heartbeat (or
    whose process is gone on this machine) was lost in a kill or a crash and is re-queued.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self):
        return f"{self.worker_id} (pid {self.pid} on {self.hostname})"
