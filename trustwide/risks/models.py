"""The risk register: school and trust risks scored 5x5, their reviews, and the trust's
roll-up threshold. School risks at or above the threshold appear on the trust register
(read-time roll-up, so the link to the source risk is the risk itself)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trustwide.accounts.roles import ScopeLevel

score_validators = [
    MinValueValidator(1, "Scores run from 1 to 5."),
    MaxValueValidator(5, "Scores run from 1 to 5."),
]


class Category(models.TextChoices):
    EDUCATIONAL = "educational", "Educational"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    FINANCIAL = "financial", "Financial"
    ESTATES = "estates", "Estates"
    PEOPLE = "people", "People"
    REPUTATIONAL = "reputational", "Reputational"
    COMPLIANCE = "compliance", "Compliance"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    TOLERATED = "tolerated", "Tolerated"
    CLOSED = "closed", "Closed"


def band(score: int) -> tuple[str, str]:
    """(rag class, word) for a 1-25 score: 15+ high (red), 8-14 medium (amber), else low (green)."""
    if score >= 15:
        return "red", "High"
    if score >= 8:
        return "amber", "Medium"
    return "green", "Low"


class Risk(models.Model):
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="risks")
    school = models.ForeignKey(
        "trusts.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="risks",
        help_text="Empty for a trust-level risk.",
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    inherent_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    inherent_impact = models.PositiveSmallIntegerField(validators=score_validators)
    residual_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    residual_impact = models.PositiveSmallIntegerField(validators=score_validators)
    inherent_score = models.PositiveSmallIntegerField(editable=False, default=1)
    residual_score = models.PositiveSmallIntegerField(editable=False, default=1)
    controls = models.TextField(blank=True, help_text="What is in place now.")
    mitigation = models.TextField("Further mitigating actions", blank=True)
    mitigating_action = models.ForeignKey(
        "planning.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
        help_text="A plan action that mitigates this risk (the school's own plans only).",
    )
    review_on = models.DateField("Next review date")
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "school"
    scope_trust_path = "trust"
    view_permission = "risk.view"
    # Trust risks (no school) belong to the trust register: read at trust or hub level (an
    # executive headteacher reads it), changed at trust level only.
    scope_trust_wide = True
    scope_trust_wide_readers = (ScopeLevel.TRUST, ScopeLevel.HUB)

    class Meta:
        ordering = ["-residual_score", "title"]
        indexes = [models.Index(fields=["trust", "school", "residual_score"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._compute()
        super().save(*args, **kwargs)

    @property
    def level(self) -> str:
        return "school" if self.school_id else "trust"

    @property
    def residual_band(self):
        return band(self.residual_score)

    @property
    def inherent_band(self):
        return band(self.inherent_score)

    def _compute(self):
        if self.inherent_likelihood and self.inherent_impact:
            self.inherent_score = self.inherent_likelihood * self.inherent_impact
        if self.residual_likelihood and self.residual_impact:
            self.residual_score = self.residual_likelihood * self.residual_impact

    def clean(self):
        self._compute()
        errors = {}
        if self.school_id and self.trust_id and self.school.trust_id != self.trust_id:
            errors["school"] = "That school belongs to another trust."
        if self.mitigating_action_id:
            plan_school = self.mitigating_action.priority.plan.school_id
            if plan_school != self.school_id:
                errors["mitigating_action"] = "Choose an action from this school's own plan."
        if (
            self.residual_score
            and self.inherent_score
            and self.residual_score > self.inherent_score
        ):
            errors["residual_impact"] = (
                "The residual score (after controls) cannot exceed the inherent score."
            )
        if errors:
            raise ValidationError(errors)

    def audit_scope(self):
        return self.trust_id, self.school_id


class RiskReview(models.Model):
    """A review of a risk: the residual scores then. Movement compares the last two."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    impact = models.PositiveSmallIntegerField(validators=score_validators)
    score = models.PositiveSmallIntegerField(editable=False, default=1)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "risk__school"
    scope_trust_path = "risk__trust"
    view_permission = "risk.view"
    scope_trust_wide = True  # as its risk
    scope_trust_wide_readers = Risk.scope_trust_wide_readers

    class Meta:
        ordering = ["risk", "-reviewed_on", "-pk"]

    def __str__(self):
        return f"Review of {self.risk} on {self.reviewed_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.score = self.likelihood * self.impact
        super().save(*args, **kwargs)

    def clean(self):
        if self.likelihood and self.impact:
            self.score = self.likelihood * self.impact

    def audit_scope(self):
        return self.risk.trust_id, self.risk.school_id


class RiskSettings(models.Model):
    trust = models.OneToOneField(
        "trusts.Trust", on_delete=models.CASCADE, related_name="risk_settings"
    )
    rollup_threshold = models.PositiveSmallIntegerField(
        "Roll-up threshold",
        default=15,
        validators=[
            MinValueValidator(1, "Between 1 and 25."),
            MaxValueValidator(25, "Between 1 and 25."),
        ],
        help_text="School risks with a residual score at or above this appear on the trust register.",
    )

    scope_trust_path = "trust"
    view_permission = "risk.view"

    def __str__(self):
        return f"Risk settings for {self.trust}"

    def audit_scope(self):
        return self.trust_id, None


DEFAULT_THRESHOLD = 15
