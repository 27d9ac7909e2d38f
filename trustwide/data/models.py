"""App-database side of pupil data: identities (never in Parquet), import batches, mappings.

The pupil-level analytics themselves live in the Parquet store (store.py, docs/DATA.md).
"""

import secrets

from django.conf import settings
from django.db import models

from trustwide.trusts.utils import year_label

from .schemas import IMPORT_DATASETS


def _new_key() -> str:
    return secrets.token_hex(32)


class TrustDataKey(models.Model):
    """The trust's secret for pseudonymous pupil keys (HMAC of the UPN). Never leaves the app DB."""

    trust = models.OneToOneField("trusts.Trust", on_delete=models.CASCADE, related_name="data_key")
    key = models.CharField(max_length=64, default=_new_key, editable=False)

    scope_trust_path = "trust"
    view_permission = "data.import"

    def __str__(self):
        return f"Pseudonymisation key of {self.trust}"


class Pupil(models.Model):
    """Identifying details, shown only to roles with pupils.view."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="pupils")
    school = models.ForeignKey("trusts.School", on_delete=models.CASCADE, related_name="pupils")
    pupil_key = models.CharField(max_length=16)
    upn = models.CharField("UPN", max_length=13)
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    last_import = models.ForeignKey(
        "ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "school"
    view_permission = "pupils.view"

    class Meta:
        ordering = ["surname", "forename"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "pupil_key"], name="pupil_key_unique_in_trust")
        ]
        indexes = [models.Index(fields=["school", "surname"])]

    def __str__(self):
        return f"{self.forename} {self.surname}".strip() or self.upn

    def audit_scope(self):
        return self.trust_id, self.school_id


DATASET_CHOICES = [(name, name.replace("_", " ").capitalize()) for name in IMPORT_DATASETS]
# A Common Transfer File feeds several datasets in one batch (data/ctf.py).
CTF = "ctf"
BATCH_DATASET_CHOICES = [*DATASET_CHOICES, (CTF, "Common Transfer File (CTF)")]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Validating and storing"
    FAILED = "failed", "Refused: nothing stored"
    STORED = "stored", "Stored"
    ROLLED_BACK = "rolled_back", "Rolled back"


class ImportBatch(models.Model):
    """One uploaded file: all of it is stored, or none of it."""

    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="import_batches"
    )
    # The school the uploader chose; a trust data manager's file may cover several schools.
    school = models.ForeignKey(
        "trusts.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    dataset = models.CharField(max_length=40, choices=BATCH_DATASET_CHOICES)
    academic_year = models.PositiveSmallIntegerField(help_text="Start year: 2025 = 2025/26.")
    file_name = models.CharField(max_length=255)
    upload = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker took it up, and which ("host:pid"): the reconcile sweep marks a batch left
    # "running" by a worker that is gone as failed (services_reconcile.py).
    started_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    rows = models.PositiveIntegerField(default=0)
    replaced_rows = models.PositiveIntegerField(default=0)
    school_urns = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors, as messages.")
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=8, blank=True)
    store_batch_id = models.CharField(max_length=100, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by_label = models.CharField(max_length=200, blank=True)

    # A batch of one school is that school's; a multi-school batch (school empty) is visible
    # at trust level only: selectors.import_batches_for handles both.
    scope_school_path = "school"
    view_permission = "data.view_imports"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["trust", "school", "dataset", "academic_year"])]

    def __str__(self):
        return f"{self.get_dataset_display()} {self.file_name}"

    @property
    def academic_year_label(self) -> str:
        return year_label(self.academic_year)

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.FAILED, ImportStatus.STORED, ImportStatus.ROLLED_BACK}

    @property
    def more_errors(self) -> int:
        """Problems found but not listed: only the first MAX_ERRORS_KEPT are stored."""
        return max(self.error_count - len(self.errors or ()), 0)

    def audit_scope(self):
        return self.trust_id, self.school_id


class ColumnMapping(models.Model):
    """A school's own header names for a dataset: default header -> header in its files."""

    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="column_mappings"
    )
    dataset = models.CharField(max_length=40, choices=DATASET_CHOICES)
    mapping = models.JSONField(default=dict, blank=True)

    scope_school_path = "school"
    view_permission = "data.import"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "dataset"], name="one_mapping_per_school_dataset"
            )
        ]

    def __str__(self):
        return f"{self.school} {self.dataset} headers"

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class PupilRetentionRule(models.Model):
    """A trust's retention rule for pupil-level data: a pupil who left more than
    `years_after_leaving` years ago is erased by the daily retention job (data/erasure.py)."""

    trust = models.OneToOneField(
        "trusts.Trust", on_delete=models.CASCADE, related_name="pupil_retention_rule"
    )
    years_after_leaving = models.PositiveSmallIntegerField(
        help_text="Whole years after the pupil's last 'Date left' before their data is erased."
    )

    scope_trust_path = "trust"
    view_permission = "pupil.data_protection"

    def __str__(self):
        return f"Pupil data kept {self.years_after_leaving} years after leaving ({self.trust})"

    def audit_scope(self):
        return self.trust_id, None
