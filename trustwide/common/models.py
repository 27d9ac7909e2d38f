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
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once_per_period")]
        ordering = ["-enqueued_at"]

    def __str__(self):
        return f"{self.job} {self.period}"
