"""School plans (SIP/SDP and BDP) and what they hold: priorities, actions, milestones and
success criteria. One layout across the trust."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from .strategic import PlanKind


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to governors"
    AGREED = "agreed", "Agreed by governors"
    SIGNED_OFF = "signed_off", "Signed off by the trust"
    IN_PROGRESS = "in_progress", "In progress"
    EVALUATED = "evaluated", "Evaluated"


class SchoolPlan(models.Model):
    school = models.ForeignKey("trusts.School", on_delete=models.CASCADE, related_name="plans")
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="school_plans"
    )
    kind = models.CharField(max_length=3, choices=PlanKind.choices, default=PlanKind.SIP)
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_on = models.DateField(null=True, blank=True)
    agreed_meeting = models.CharField(
        max_length=200, blank=True, help_text="e.g. LGC meeting, autumn 1."
    )
    smart_override_reason = models.TextField(blank=True)
    smart_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    smart_override_at = models.DateTimeField(null=True, blank=True)
    # The trust's sign-off after governors agree, then the board's agreement (see services/signoff.py).
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    board_meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The trust board meeting that agreed the plan.",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "school"
    scope_trust_path = "school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["school", "-academic_year__start_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "kind"], name="school_plan_one_per_kind_year"
            ),
        ]

    def __str__(self):
        return (
            self.title or f"{self.get_kind_short()} {self.academic_year.label} {self.school.name}"
        )

    def get_kind_short(self) -> str:
        return "SIP" if self.kind == PlanKind.SIP else "BDP"

    @property
    def is_agreed(self) -> bool:
        return self.status in (
            PlanStatus.AGREED,
            PlanStatus.SIGNED_OFF,
            PlanStatus.IN_PROGRESS,
            PlanStatus.EVALUATED,
        )

    def clean(self):
        if (
            self.academic_year_id
            and self.school_id
            and self.academic_year.trust_id != self.school.trust_id
        ):
            raise ValidationError({"academic_year": "That academic year belongs to another trust."})

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class Priority(models.Model):
    plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=300)
    rationale = models.TextField(
        blank=True, help_text="Why: what the self-evaluation and data show."
    )
    intended_outcomes = models.TextField(blank=True, help_text="What will be different for pupils.")
    trust_priorities = models.ManyToManyField(
        "planning.TrustPriority",
        blank=True,
        related_name="school_priorities",
    )
    # Codes of self-evaluation framework areas (areas for development) this priority answers.
    # Stored as codes so planning does not depend on the evaluation app.
    sef_area_codes = models.JSONField(default=list, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_pocket_guide = models.BooleanField(default=False)
    impact_statement = models.TextField(blank=True, help_text="Written when the plan is evaluated.")
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "plan__school"
    scope_trust_path = "plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["plan", "number", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self):
        return f"{self.number}. {self.title}"

    def clean(self):
        if not isinstance(self.sef_area_codes, list) or not all(
            isinstance(c, str) for c in self.sef_area_codes
        ):
            raise ValidationError({"sef_area_codes": "A list of framework area codes."})

    def audit_scope(self):
        return self.plan.school.trust_id, self.plan.school_id


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    DROPPED = "dropped", "Dropped"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
money = dict(
    max_digits=10,
    decimal_places=2,
    validators=[MinValueValidator(Decimal("0"), "Costs cannot be negative.")],
)


class Action(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField("What", max_length=400)
    how = models.TextField("How", blank=True)
    why = models.TextField("Why", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
    )
    supporters = models.CharField(max_length=300, blank=True, help_text="Who else is involved.")
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    cost = models.DecimalField("Planned cost (£)", default=Decimal("0"), **money)
    spent = models.DecimalField("Spent so far (£)", default=Decimal("0"), **money)
    budget_line = models.CharField(
        max_length=100, blank=True, help_text="e.g. Pupil premium, CPD, Resources."
    )
    staff_days = models.DecimalField(
        "Staff time (days)",
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"), "Staff time cannot be negative.")],
    )
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    progress_note = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "priority__plan__school"
    scope_trust_path = "priority__plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["priority", "due_on", "pk"]

    def __str__(self):
        return self.what[:120]

    def is_overdue(self, on) -> bool:
        return bool(self.due_on and self.due_on < on and self.status in OPEN_ACTION_STATUSES)

    def clean(self):
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "The due date is before the start date."})

    def audit_scope(self):
        plan = self.priority.plan
        return plan.school.trust_id, plan.school_id


class Milestone(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="milestones")
    term = models.ForeignKey("trusts.Term", on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=400)
    achieved = models.BooleanField(default=False)

    scope_school_path = "priority__plan__school"
    scope_trust_path = "priority__plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["priority", "term__number", "pk"]

    def __str__(self):
        return self.description[:120]

    def clean(self):
        if (
            self.term_id
            and self.priority_id
            and self.term.academic_year_id != self.priority.plan.academic_year_id
        ):
            raise ValidationError({"term": "Choose a term of the plan's academic year."})

    def audit_scope(self):
        plan = self.priority.plan
        return plan.school.trust_id, plan.school_id


class MeasureKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    NUMBER = "number", "Number"
    YES_NO = "yes_no", "Yes or no"
    DESCRIPTIVE = "descriptive", "Descriptive"


NUMERIC_MEASURES = (MeasureKind.PERCENTAGE, MeasureKind.NUMBER)


def parse_number(value: str) -> Decimal | None:
    text = (value or "").strip().replace(",", "").rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class SuccessCriterion(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="criteria")
    description = models.CharField(
        max_length=500, help_text="What success looks like, with a number."
    )
    measure = models.CharField(
        max_length=200,
        blank=True,
        help_text="What is counted, e.g. % of pupils at expected standard in reading.",
    )
    measure_kind = models.CharField(
        max_length=20, choices=MeasureKind.choices, default=MeasureKind.PERCENTAGE
    )
    baseline = models.CharField(max_length=60, blank=True)
    target = models.CharField(max_length=60, blank=True)
    target_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optional binding to a KPI code, so status can later be computed from data.
    kpi_code = models.CharField("KPI code", max_length=100, blank=True)
    # The pupil group (or gap) of the bound KPI; blank = all pupils. Codes are the KPI app's
    # groups (offered through planning.hooks.criterion_group_labels).
    kpi_group = models.CharField("KPI pupil group", max_length=30, blank=True)

    scope_school_path = "priority__plan__school"
    scope_trust_path = "priority__plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name_plural = "success criteria"

    def __str__(self):
        return self.description[:120]

    def clean(self):
        errors = {}
        if self.measure_kind in NUMERIC_MEASURES:
            if self.target and parse_number(self.target) is None:
                errors["target"] = "The measure is numeric: give the target as a number, e.g. 75."
            if self.baseline and parse_number(self.baseline) is None:
                errors["baseline"] = (
                    "The measure is numeric: give the baseline as a number, e.g. 62."
                )
        if self.measure_kind == MeasureKind.PERCENTAGE:
            for name in ("target", "baseline"):
                number = parse_number(getattr(self, name))
                if number is not None and not (0 <= number <= 100) and name not in errors:
                    errors[name] = "A percentage is between 0 and 100."
        if self.kpi_group and not self.kpi_code:
            errors["kpi_group"] = (
                "Give the KPI code the pupil group applies to, or clear the group."
            )
        if errors:
            raise ValidationError(errors)

    def audit_scope(self):
        plan = self.priority.plan
        return plan.school.trust_id, plan.school_id
