"""Versions of the trust strategic plan (MSP) and the consultation on them.

Each issued version (first draft, second draft, ...) freezes the plan's priorities and success
indicators as JSON, so every version stays readable however the live plan changes afterwards.
A version may go out for consultation: trustees, local governors and headteachers comment per
priority, the CEO answers; the board approves a version at a held board meeting."""

from django.conf import settings
from django.db import models


class MspVersion(models.Model):
    strategic_plan = models.ForeignKey(
        "planning.StrategicPlan", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100, help_text="e.g. First draft (April).")
    snapshot = models.JSONField(help_text="The priorities and indicators as issued.")
    consultation_open = models.BooleanField(default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    board_meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The trust board meeting that approved it.",
    )

    scope_trust_path = "strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["strategic_plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategic_plan", "number"], name="msp_version_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.strategic_plan} version {self.number}: {self.label}"

    def audit_scope(self):
        return self.strategic_plan.trust_id, None


class ConsultationComment(models.Model):
    version = models.ForeignKey(MspVersion, on_delete=models.CASCADE, related_name="comments")
    priority_code = models.CharField(
        max_length=20, help_text="The trust priority's code in the version, e.g. MSP3."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    scope_trust_path = "version__strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["version", "priority_code", "created_at", "pk"]

    def __str__(self):
        return f"{self.priority_code}: {self.text[:80]}"

    def audit_scope(self):
        return self.version.strategic_plan.trust_id, None
