from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    IMPORT = "import", "Imported"


class AuditEvent(models.Model):
    """One change to a domain object, written in the same transaction as the change.

    The trust and school are stored on the row so that history is itself scoped: a user
    sees the events of the objects they may see, and nothing else.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the user is deleted, and names system actors ("import job", "demo").
    actor_label = models.CharField(max_length=200)
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="audit_events", null=True)
    school = models.ForeignKey(
        "trusts.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=40, help_text="create, update, delete or a domain verb.")
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    scope_school_path = None
    scope_trust_path = "trust"
    view_permission = "audit.view_trust"

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["trust", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class PupilAccessKind(models.TextChoices):
    YEAR_GROUP_LISTS = "year_group_lists", "Year-group pupil lists"
    PUPIL_RECORD = "pupil_record", "A pupil's record"
    EXPORT = "export", "Export or report naming pupils"
    SUBJECT_ACCESS = "subject_access", "Subject access export"
    ACCESS_LOG = "access_log", "Data protection look-up"


class PupilDataAccess(models.Model):
    """One view of identifying pupil data (names, UPNs) by a person: who, when, where and what,
    so the trust can answer "who has looked at this pupil's data" (UK GDPR accountability).
    Written by audit.services.record_pupil_access, never changed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("trusts.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=30, choices=PupilAccessKind.choices)
    description = models.CharField(max_length=300, help_text="What was shown, e.g. 'Year 5 lists, 2025/26'.")
    path = models.CharField(max_length=500, blank=True)
    pupil_count = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=64, blank=True)

    scope_school_path = "school"
    scope_trust_path = "trust"
    view_permission = "pupil.data_protection"

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["trust", "actor", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.description}"


class PupilDataAccessPupil(models.Model):
    """A pupil shown in one access, by the pseudonymous key the store uses (data.Pupil.pupil_key
    is unique within the trust), so the log needs no name of its own."""

    access = models.ForeignKey(PupilDataAccess, on_delete=models.CASCADE, related_name="pupils")
    pupil_key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["pupil_key", "access"])]

    def __str__(self):
        return f"{self.pupil_key} in {self.access_id}"
