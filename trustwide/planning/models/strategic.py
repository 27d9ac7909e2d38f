"""The trust strategic plan (MSP): themed, numbered trust priorities with staged success
indicators, and the yearly pocket guide of priorities every school writes into its plan."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class PlanKind(models.TextChoices):
    SIP = "sip", "School improvement plan (SIP)"
    BDP = "bdp", "Business development plan (BDP)"


class StrategicPlan(models.Model):
    """One trust's multi-year strategic plan, e.g. "MSP 2017-2022"."""

    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="strategic_plans"
    )
    title = models.CharField(max_length=200)
    first_year = models.PositiveSmallIntegerField(
        help_text="Start year of the plan's first academic year, e.g. 2026 for 2026/27.",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    years = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    vision = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_trust_path = "trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["trust", "-first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "first_year"], name="strategic_plan_unique_start"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.first_year}-{self.first_year + self.years}"

    def audit_scope(self):
        return self.trust_id, None


class TrustPriority(models.Model):
    """A numbered trust priority (MSP1 ... MSP12) within a theme."""

    strategic_plan = models.ForeignKey(
        StrategicPlan, on_delete=models.CASCADE, related_name="priorities"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    code = models.CharField(max_length=20, help_text="Short code, e.g. MSP1.")
    title = models.CharField(max_length=200)
    theme = models.CharField(
        max_length=100, help_text="e.g. SMART learners, SMART leaders, Business improvement."
    )
    narrative = models.TextField(blank=True, help_text="Why this priority matters.")
    long_term_goal = models.TextField(blank=True)
    key_strategies = models.TextField(blank=True, help_text="One strategy per line.")
    lead_officers = models.CharField(
        max_length=300, blank=True, help_text="e.g. CEO, Executive headteachers."
    )

    scope_trust_path = "strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["strategic_plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategic_plan", "number"], name="trust_priority_number_unique"
            ),
        ]
        verbose_name_plural = "trust priorities"

    def __str__(self):
        return f"{self.code}: {self.title}"

    @property
    def strategies(self) -> list[str]:
        return [
            line.strip(" -•\t") for line in self.key_strategies.splitlines() if line.strip(" -•\t")
        ]

    def audit_scope(self):
        return self.strategic_plan.trust_id, None


class IndicatorStage(models.TextChoices):
    YEARS_1_2 = "y1_2", "Years 1 and 2"
    YEARS_2_4 = "y2_4", "Years 2 to 4"
    YEAR_5 = "y5", "Year 5"


class SuccessIndicator(models.Model):
    priority = models.ForeignKey(TrustPriority, on_delete=models.CASCADE, related_name="indicators")
    stage = models.CharField(max_length=10, choices=IndicatorStage.choices)
    text = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    scope_trust_path = "priority__strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["priority", "stage", "order", "pk"]

    def __str__(self):
        return self.text[:80]

    def audit_scope(self):
        return self.priority.strategic_plan.trust_id, None


class PocketGuide(models.Model):
    """The one-page list, for one academic year, of trust priorities every school adopts."""

    strategic_plan = models.ForeignKey(
        StrategicPlan, on_delete=models.CASCADE, related_name="pocket_guides"
    )
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="pocket_guides"
    )
    introduction = models.TextField(blank=True)

    scope_trust_path = "strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["-academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategic_plan", "academic_year"], name="pocket_guide_one_per_year"
            ),
        ]

    def __str__(self):
        return f"Pocket guide {self.academic_year.label}"

    def clean(self):
        if (
            self.academic_year_id
            and self.strategic_plan_id
            and (self.academic_year.trust_id != self.strategic_plan.trust_id)
        ):
            raise ValidationError({"academic_year": "That academic year belongs to another trust."})

    def audit_scope(self):
        return self.strategic_plan.trust_id, None


class PocketGuideItem(models.Model):
    guide = models.ForeignKey(PocketGuide, on_delete=models.CASCADE, related_name="items")
    priority = models.ForeignKey(
        TrustPriority, on_delete=models.CASCADE, related_name="pocket_guide_items"
    )
    headline = models.CharField(max_length=200, help_text="The one-line focus for the year.")
    focus_learning = models.BooleanField("Learning", default=False)
    focus_leadership = models.BooleanField("Leadership", default=False)
    focus_parental = models.BooleanField("Parental", default=False)
    plan_kind = models.CharField(
        max_length=3,
        choices=PlanKind.choices,
        default=PlanKind.SIP,
        help_text="Which school plan the priority is written into.",
    )

    scope_trust_path = "guide__strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["guide", "priority__number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "priority"], name="pocket_guide_item_unique")
        ]

    def __str__(self):
        return f"{self.priority.code}: {self.headline}"

    @property
    def focus_labels(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.focus_learning, "Learning"),
                (self.focus_leadership, "Leadership"),
                (self.focus_parental, "Parental"),
            )
            if flag
        ]

    def clean(self):
        if (
            self.priority_id
            and self.guide_id
            and self.priority.strategic_plan_id != self.guide.strategic_plan_id
        ):
            raise ValidationError({"priority": "That priority belongs to another strategic plan."})

    def audit_scope(self):
        return self.guide.strategic_plan.trust_id, None
