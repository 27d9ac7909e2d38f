"""The monitoring schedule born from a plan, and the record of each activity."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from trustwide.common.files import evidence_validators

DEFAULT_SCALE = ["Outstanding", "Good", "Requires improvement", "Inadequate"]


class MonitoringScale(models.Model):
    """The trust's chosen scale for lesson observation judgements, best grade first; the top
    `good_or_better_count` grades count as "at least good"."""

    trust = models.OneToOneField(
        "trusts.Trust", on_delete=models.CASCADE, related_name="monitoring_scale"
    )
    grades = models.JSONField(default=list)
    good_or_better_count = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)]
    )

    scope_trust_path = "trust"
    view_permission = "monitoring.view"

    def __str__(self):
        return " / ".join(self.grades)

    def is_good_or_better(self, grade: str) -> bool:
        return grade in self.grades[: self.good_or_better_count]

    def clean(self):
        if (
            not isinstance(self.grades, list)
            or len(self.grades) < 2
            or not all(isinstance(g, str) and g.strip() for g in self.grades)
        ):
            raise ValidationError({"grades": "Give at least two grades, best first."})
        if len(set(self.grades)) != len(self.grades):
            raise ValidationError({"grades": "Each grade appears once."})
        if self.good_or_better_count and self.good_or_better_count >= len(self.grades):
            raise ValidationError(
                {"good_or_better_count": "At least one grade must be below good."}
            )

    def audit_scope(self):
        return self.trust_id, None


class ActivityKind(models.TextChoices):
    LESSON_OBSERVATION = "lesson_observation", "Lesson observation"
    LEARNING_WALK = "learning_walk", "Learning walk"
    WORK_SCRUTINY = "work_scrutiny", "Book or work scrutiny"
    PUPIL_VOICE = "pupil_voice", "Pupil voice"
    DEEP_DIVE = "deep_dive", "Deep dive"
    DATA_REVIEW = "data_review", "Data review"
    GOVERNOR_VISIT = "governor_visit", "Governor visit"


class MonitoringActivity(models.Model):
    plan = models.ForeignKey(
        "planning.SchoolPlan", on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    focus = models.CharField(
        max_length=300, help_text="What is looked at, e.g. Year 5 reading lessons."
    )
    term = models.ForeignKey("trusts.Term", on_delete=models.CASCADE, related_name="+")
    planned_on = models.DateField(
        null=True, blank=True, help_text="Leave empty if only the term is fixed."
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    priority = models.ForeignKey(
        "planning.Priority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        help_text="The priority this activity tests.",
    )
    cancelled = models.BooleanField(default=False)

    scope_school_path = "plan__school"
    scope_trust_path = "plan__school__trust"
    view_permission = "monitoring.view"

    class Meta:
        ordering = ["plan", "term__number", "planned_on", "pk"]
        verbose_name_plural = "monitoring activities"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.focus}"[:200]

    @property
    def due_by(self):
        return self.planned_on or self.term.ends_on

    def clean(self):
        errors = {}
        if (
            self.term_id
            and self.plan_id
            and self.term.academic_year_id != self.plan.academic_year_id
        ):
            errors["term"] = "Choose a term of the plan's academic year."
        elif (
            self.term_id
            and self.planned_on
            and not (self.term.starts_on <= self.planned_on <= self.term.ends_on)
        ):
            errors["planned_on"] = f"The date is outside the {self.term}."
        if self.priority_id and self.plan_id and self.priority.plan_id != self.plan_id:
            errors["priority"] = "Choose a priority of this plan."
        if errors:
            raise ValidationError(errors)

    def audit_scope(self):
        return self.plan.school.trust_id, self.plan.school_id


def monitoring_upload_to(instance, filename: str) -> str:
    return f"monitoring/{timezone.now():%Y/%m}/{os.path.basename(filename)}"


class MonitoringRecord(models.Model):
    """What one activity found. Lesson observations carry a judgement on the trust's scale;
    whether that grade counted as "at least good" is kept with it, so a later change of
    scale does not rewrite history."""

    activity = models.ForeignKey(
        MonitoringActivity, on_delete=models.CASCADE, related_name="records"
    )
    carried_out_on = models.DateField()
    findings = models.TextField()
    judgement = models.CharField(max_length=60, blank=True)
    good_or_better = models.BooleanField(null=True, blank=True)
    next_steps = models.TextField(blank=True)
    evidence_link = models.URLField(
        blank=True, help_text="Link to notes, photos or the shared folder."
    )
    evidence_note = models.CharField(max_length=300, blank=True)
    evidence_file = models.FileField(
        upload_to=monitoring_upload_to,
        blank=True,
        max_length=300,
        validators=evidence_validators(),
        help_text="Notes, a photo or a scan of the evidence (no pupil names).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "activity__plan__school"
    scope_trust_path = "activity__plan__school__trust"
    view_permission = "monitoring.view"

    class Meta:
        ordering = ["activity", "carried_out_on", "pk"]

    def __str__(self):
        return f"{self.activity} on {self.carried_out_on:%d/%m/%Y}"

    @property
    def evidence_file_name(self) -> str:
        return os.path.basename(self.evidence_file.name) if self.evidence_file else ""

    def audit_scope(self):
        plan = self.activity.plan
        return plan.school.trust_id, plan.school_id
