from django.conf import settings
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


class DataVersion(models.Model):
    """A counter per trust, bumped in the same transaction as every write that can change what a
    report shows (each audited write, each KPI refresh); `scope_id` 0 is the global counter (writes
    that belong to no trust, such as national figures). Cached PDFs are keyed on it, so a write
    makes the next request render afresh; nothing has to find and delete stale files."""

    scope_id = models.PositiveBigIntegerField(unique=True)  # a trust's id, or 0 for global
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"data version {self.value} of {self.scope_id or 'global'}"


class RenderedPdf(models.Model):
    """A PDF rendered in the task worker, or being rendered. `key` says what it shows (report,
    object, options, the audience's scope, the data version and the day); `slot` is the same
    without the version and the day, so a finished render replaces older ones of its slot."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=64, unique=True)
    slot = models.CharField(max_length=64, db_index=True)
    builder = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    trust_id = models.PositiveBigIntegerField(null=True, blank=True)
    audience = models.CharField(max_length=64)
    # Whose access the render uses: anyone with the same audience would see the same PDF.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename or self.builder} ({self.get_status_display()})"
