"""Returns of a school plan: each time governors or the trust send a plan back, with the
reason, kept in order so a plan returned twice shows both reasons."""

from django.conf import settings
from django.db import models


class ReturnStage(models.TextChoices):
    GOVERNORS = "governors", "Returned by governors"
    TRUST = "trust", "Returned by the trust"


class PlanReturn(models.Model):
    plan = models.ForeignKey(
        "planning.SchoolPlan", on_delete=models.CASCADE, related_name="returns"
    )
    stage = models.CharField(max_length=12, choices=ReturnStage.choices)
    reason = models.TextField()
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    returned_by_label = models.CharField(max_length=200, blank=True)
    returned_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "plan__school"
    scope_trust_path = "plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["plan", "returned_at", "pk"]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.reason[:80]}"

    @property
    def who(self) -> str:
        return (
            str(self.returned_by)
            if self.returned_by_id
            else (self.returned_by_label or "the trust")
        )

    def audit_scope(self):
        return self.plan.school.trust_id, self.plan.school_id
