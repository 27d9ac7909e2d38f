"""The policy register: each policy of the trust (trust-wide) or of one school, who owns and
approves it, when it was last approved and when it is next reviewed; and each review that
re-approved it. Review dates follow review_dates.py."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from trustwide.accounts.roles import ScopeLevel

from . import review_dates

MIN_MONTHS, MAX_MONTHS = 1, 60
interval_validators = [
    MinValueValidator(MIN_MONTHS, "Review every 1 to 60 months."),
    MaxValueValidator(MAX_MONTHS, "Review every 1 to 60 months."),
]


class PolicyCategory(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEND = "send", "SEND (special educational needs and disabilities)"
    BEHAVIOUR = "behaviour", "Behaviour"
    CURRICULUM = "curriculum", "Curriculum"
    ADMISSIONS = "admissions", "Admissions"
    HEALTH_AND_SAFETY = "health_and_safety", "Health and safety"
    HR = "hr", "HR and staffing"
    FINANCE = "finance", "Finance"
    DATA_PROTECTION = "data_protection", "Data protection"
    GOVERNANCE = "governance", "Governance"
    OTHER = "other", "Other"


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CURRENT = "current", "Current"
    UNDER_REVIEW = "under_review", "Under review"
    RETIRED = "retired", "Retired"


def _not_in_future(value, field: str, errors: dict, what: str) -> None:
    if value and value > timezone.localdate():
        errors[field] = f"The {what} cannot be in the future."


class Policy(models.Model):
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="policies")
    school = models.ForeignKey(
        "trusts.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="policies",
        help_text="Empty for a trust-wide policy, which applies to every school.",
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=PolicyCategory.choices)
    statutory = models.BooleanField(default=False, help_text="Required by law or by DfE guidance.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_policies",
        help_text="Who keeps the policy up to date.",
    )
    approver = models.CharField(
        max_length=120,
        blank=True,
        help_text="Who approves it, for example: Trust board, Local governing committee, Headteacher.",
    )
    approved_on = models.DateField(
        "Last approved on", null=True, blank=True, help_text="Empty if never approved."
    )
    review_every_months = models.PositiveSmallIntegerField(
        "Review every (months)",
        default=12,
        validators=interval_validators,
        help_text="12 for an annual review, 36 for every three years.",
    )
    next_review_on = models.DateField(
        "Next review due",
        null=True,
        blank=True,
        help_text="Leave empty to set it from the approval date and the review interval.",
    )
    document_url = models.URLField("Link to the document", max_length=500, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.CURRENT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Trust-wide policies (school empty) are read through selectors.visible_policies, which
    # adds them for everyone who holds policy.view in the trust.
    scope_school_path = "school"
    scope_trust_path = "trust"
    view_permission = "policy.view"
    # Trust-wide policies (no school) apply to every school: everyone who reads policies in the
    # trust reads them; changing them needs trust level.
    scope_trust_wide = True
    scope_trust_wide_readers = (ScopeLevel.TRUST, ScopeLevel.HUB, ScopeLevel.SCHOOL)

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["title"]
        indexes = [models.Index(fields=["trust", "school", "next_review_on"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.next_review_on is None:
            self.next_review_on = self.computed_next_review()
        super().save(*args, **kwargs)

    @property
    def level(self) -> str:
        return "school" if self.school_id else "trust"

    def computed_next_review(self):
        """The review date the approval date and interval give (None if never approved)."""
        months = self.review_every_months
        if self.approved_on is None or not months or not MIN_MONTHS <= months <= MAX_MONTHS:
            return None
        return review_dates.add_months(self.approved_on, months)

    def due_state(self, today=None) -> str:
        return review_dates.due_state(
            self.next_review_on,
            retired=self.status == PolicyStatus.RETIRED,
            today=today or timezone.localdate(),
        )

    def clean(self):
        errors: dict[str, str] = {}
        if self.school_id and self.trust_id and self.school.trust_id != self.trust_id:
            errors["school"] = "That school belongs to another trust."
        _not_in_future(self.approved_on, "approved_on", errors, "approval date")
        if self.next_review_on is None:
            self.next_review_on = self.computed_next_review()
        elif self.approved_on and self.next_review_on <= self.approved_on:
            errors["next_review_on"] = "The next review must come after the approval date."
        if self.status == PolicyStatus.CURRENT and not self.approved_on:
            errors.setdefault(
                "approved_on",
                "A current policy needs the date it was last approved (or mark it a draft).",
            )
        if errors:
            raise ValidationError(errors)

    def audit_scope(self):
        return self.trust_id, self.school_id


class PolicyReview(models.Model):
    """A review of a policy that ended in its (re-)approval. Recording one moves the policy's
    approval and next review dates on (services.policy_record_review)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    approved_on = models.DateField()
    approver = models.CharField(max_length=120, blank=True)
    changes = models.TextField("Summary of changes", blank=True)
    next_review_on = models.DateField("Next review due")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "policy__school"
    scope_trust_path = "policy__trust"
    view_permission = "policy.view"
    scope_trust_wide = True  # as its policy
    scope_trust_wide_readers = Policy.scope_trust_wide_readers

    class Meta:
        ordering = ["policy", "-approved_on", "-pk"]

    def __str__(self):
        return f"Review of {self.policy} approved on {self.approved_on:%d/%m/%Y}"

    def clean(self):
        errors: dict[str, str] = {}
        _not_in_future(self.reviewed_on, "reviewed_on", errors, "review date")
        _not_in_future(self.approved_on, "approved_on", errors, "approval date")
        if self.reviewed_on and self.approved_on and self.approved_on < self.reviewed_on:
            errors.setdefault("approved_on", "The approval cannot come before the review.")
        if self.next_review_on and self.approved_on and self.next_review_on <= self.approved_on:
            errors["next_review_on"] = "The next review must come after the approval date."
        if errors:
            raise ValidationError(errors)

    def audit_scope(self):
        return self.policy.trust_id, self.policy.school_id
