"""Scheduled MIS feeds: per school, a source that delivers pupil data by itself (a folder the
MIS drops exports into, or Wonde's REST API), the runs that imported it, and the trust's
stale-data threshold. What a run imports goes through trustwide.data's upload path unchanged
(same validation, same all-or-nothing store); this app only fetches, logs and warns.
"""

from django.db import models

DEFAULT_STALE_DAYS = 14


class SourceKind(models.TextChoices):
    FOLDER = "folder", "Folder of export files (CSV, Excel or CTF)"
    WONDE = "wonde", "Wonde API"


class FeedSource(models.Model):
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="feed_sources")
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="feed_sources"
    )
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    # Folder: a sub-folder of settings.TRUSTWIDE_FEED_ROOT (never an arbitrary path).
    folder = models.CharField(max_length=200, blank=True)
    # Wonde: the school's Wonde id (e.g. A1930499544) and its access token.
    wonde_school_id = models.CharField("Wonde school ID", max_length=20, blank=True)
    # Fernet token (crypto.py). Never rendered, never written to the audit log.
    token_encrypted = models.TextField(blank=True, editable=False)
    every_hours = models.PositiveSmallIntegerField(
        "run every (hours)", default=24, help_text="How often the scheduler runs this source."
    )
    is_enabled = models.BooleanField("enabled", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)

    scope_school_path = "school"
    view_permission = "data.view_imports"

    class Meta:
        ordering = ["school__name", "kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.school}"

    def audit_scope(self):
        return self.trust_id, self.school_id

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    NOTHING_NEW = "nothing_new", "Nothing new"
    FAILED = "failed", "Failed: nothing changed"
    PARTLY_FAILED = "partly_failed", "Some files refused"


class FeedRun(models.Model):
    """One run of a source: what it imported (rows per dataset) or why it failed."""

    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    trigger = models.CharField(max_length=200, blank=True)
    rows = models.JSONField(default=dict, blank=True, help_text="Rows imported per dataset.")
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # What the run read: file names, or the API addresses it fetched.
    items = models.JSONField(default=list, blank=True)
    import_batches = models.JSONField(default=list, blank=True)

    scope_school_path = "source__school"
    view_permission = "data.view_imports"

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self):
        return f"Run of {self.source} at {self.started_at:%d/%m/%Y %H:%M}"

    def audit_scope(self):
        return self.source.trust_id, self.source.school_id

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def more_errors(self) -> int:
        return max(self.error_count - len(self.errors or ()), 0)


class FeedSettings(models.Model):
    """The trust's threshold for stale data: a school with a feed whose newest stored import
    is older than this gets a warning email (at most one a day)."""

    trust = models.OneToOneField(
        "trusts.Trust", on_delete=models.CASCADE, related_name="feed_settings"
    )
    stale_after_days = models.PositiveSmallIntegerField(
        "warn when data is older than (days)", default=DEFAULT_STALE_DAYS
    )

    scope_trust_path = "trust"
    view_permission = "data.view_imports"

    def __str__(self):
        return f"Feed settings of {self.trust}"

    def audit_scope(self):
        return self.trust_id, None


class StaleWarning(models.Model):
    """A stale-data email sent for a school on a day: the unique pair keeps it to one a day."""

    school = models.ForeignKey("trusts.School", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    newest_import_on = models.DateField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "sent_on"], name="one_stale_warning_a_day")
        ]

    def __str__(self):
        return f"Stale-data warning for {self.school} on {self.sent_on}"
