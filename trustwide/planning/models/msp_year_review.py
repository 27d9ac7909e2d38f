"""The trust's own year-end review of a year of its strategic plan (MSP), seed 004's October step:
"final review of the SDP and MSP from last year ... then on to Trust Board". A trust leader
writes, per trust priority, the outcome against its success indicators and an impact statement,
and the conclusions; the review is then presented to the trust board, recorded against a held
board meeting. Presented conclusions are inputs of the next MSP draft (as the March mid-year
reviews of the school plans are)."""

from django.conf import settings
from django.db import models


class MspReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PRESENTED = "presented", "Presented to the trust board"


class MspYearReview(models.Model):
    strategic_plan = models.ForeignKey(
        "planning.StrategicPlan", on_delete=models.CASCADE, related_name="year_reviews"
    )
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=MspReviewStatus.choices, default=MspReviewStatus.DRAFT
    )
    # {trust priority pk (as text): {"outcome": ..., "impact": ...}}
    entries = models.JSONField(default=dict, blank=True)
    conclusions = models.TextField(
        blank=True, help_text="What the review concludes, to carry into the next MSP draft."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    presented_at = models.DateTimeField(null=True, blank=True)
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    board_meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The trust board meeting it was presented to.",
    )

    scope_trust_path = "strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["strategic_plan", "-academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategic_plan", "academic_year"], name="msp_year_review_one_per_year"
            )
        ]
        verbose_name = "strategic plan year-end review"

    def __str__(self):
        return f"Year-end review of {self.strategic_plan}, {self.academic_year.label}"

    def entry(self, priority_id) -> dict:
        return self.entries.get(str(priority_id)) or {}

    def audit_scope(self):
        return self.strategic_plan.trust_id, None
