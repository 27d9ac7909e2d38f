"""Year-end and mid-year reviews of a school plan (seed 004's review cycle). October: the final
review of last year's plan, with impact statements per priority, goes to the local governing
committee for scrutiny, then on to the board. March: the mid-year review, whose conclusions
are carried into next year's strategic plan (MSP) first draft."""

from django.conf import settings
from django.db import models


class ReviewKind(models.TextChoices):
    YEAR_END = "year_end", "Year-end review"
    MID_YEAR = "mid_year", "Mid-year review"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Sent to governors"
    SCRUTINISED = "scrutinised", "Scrutinised by governors, on to the board"


class PlanReview(models.Model):
    plan = models.ForeignKey(
        "planning.SchoolPlan", on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # {priority pk (as text): the impact statement the head or trust leaders wrote for it}
    impacts = models.JSONField(default=dict, blank=True)
    conclusions = models.TextField(
        blank=True, help_text="What the review concludes, to carry into next year's planning."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scrutiny_notes = models.TextField(blank=True)
    scrutinised_at = models.DateTimeField(null=True, blank=True)
    scrutinised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "plan__school"
    scope_trust_path = "plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["plan", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="plan_review_one_per_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.plan}"

    @property
    def status_label(self) -> str:
        """A submitted mid-year review goes to nobody: it is "Submitted", not "Sent to
        governors" (only the year-end review goes to governors)."""
        if self.kind == ReviewKind.MID_YEAR and self.status == ReviewStatus.SUBMITTED:
            return "Submitted"
        return self.get_status_display()

    def audit_scope(self):
        return self.plan.school.trust_id, self.plan.school_id
