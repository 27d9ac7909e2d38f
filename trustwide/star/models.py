"""STAR projects: a member of staff (or a team) runs a small action-research project at their
school, with clear intent (question, baseline), implementation (method, measures) and evaluated
impact (findings, impact, a rating), linked to a priority of the school's plan and optionally to
the lead's appraisal objective. Leaders mark the best evaluated ones exemplary, which publishes
them to the whole trust as best-practice exemplars (seed 004, MSP3 and the October step)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class StarStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    EVALUATED = "evaluated", "Evaluated"


class ImpactRating(models.TextChoices):
    STRONG = "strong", "Strong: clear gains on the baseline in the measures"
    MODERATE = "moderate", "Moderate: gains in some measures"
    LIMITED = "limited", "Limited: little change from the baseline"
    NONE = "none", "None: no change, or worse"

    @classmethod
    def short(cls, value: str) -> str:
        """ "Strong", "Moderate" ...: the label before its explanation."""
        return cls(value).label.split(":")[0] if value else ""


# Shown beside every text a project publishes: exemplars are read across the whole trust.
NO_PUPIL_NAMES = "Never name a pupil: write 'pupil A' or give numbers."


class StarProject(models.Model):
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="star_projects"
    )
    # The year of the school plan whose priority the project serves (set by the services).
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_star_projects"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StarTeamMember",
        related_name="star_projects",
        blank=True,
    )
    priority = models.ForeignKey(
        "planning.Priority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="star_projects",
        help_text="The priority of your school's plan (SDP or BDP) the project serves.",
    )
    objective = models.ForeignKey(
        "planning.StaffObjective",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="star_projects",
        verbose_name="appraisal objective",
        help_text="Optional: the lead's own appraisal objective this project evidences.",
    )
    # Intent
    question = models.TextField(
        "enquiry question", blank=True, help_text="What do you want to find out? " + NO_PUPIL_NAMES
    )
    baseline = models.TextField(
        blank=True, help_text="Where things stand before you start, with figures."
    )
    # Implementation
    method = models.TextField(blank=True, help_text="What you will do, with whom, and when.")
    measures = models.TextField(blank=True, help_text="How you will know: what you will measure.")
    # Impact (the evaluation, in October)
    findings = models.TextField(blank=True, help_text="What happened. " + NO_PUPIL_NAMES)
    impact = models.TextField(
        "impact statement",
        blank=True,
        help_text="What changed for pupils or staff, against the baseline.",
    )
    impact_rating = models.CharField(max_length=10, choices=ImpactRating.choices, blank=True)
    status = models.CharField(max_length=10, choices=StarStatus.choices, default=StarStatus.DRAFT)
    started_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Marked exemplary by a leader: published trust-wide as a best-practice exemplar.
    exemplary_at = models.DateTimeField(null=True, blank=True)
    exemplary_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exemplary_note = models.TextField(
        "what makes it exemplary",
        blank=True,
        help_text="Shown with the exemplar. " + NO_PUPIL_NAMES,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "school"
    scope_trust_path = "school__trust"
    view_permission = "star.view"

    class Meta:
        ordering = ["school", "-academic_year__start_year", "title", "pk"]
        verbose_name = "STAR project"
        indexes = [models.Index(fields=["school", "academic_year", "status"])]

    def __str__(self):
        return self.title

    @property
    def impact_rating_short(self) -> str:
        return ImpactRating.short(self.impact_rating)

    @property
    def is_exemplary(self) -> bool:
        return self.exemplary_at is not None

    def clean(self):
        if self.priority_id and self.school_id and self.priority.plan.school_id != self.school_id:
            raise ValidationError(
                {"priority": "Choose a priority of this school's own plan, not another school's."}
            )
        if self.objective_id:
            if self.objective.school_id != self.school_id:
                raise ValidationError(
                    {"objective": "That appraisal objective belongs to another school."}
                )
            if self.lead_id and self.objective.user_id != self.lead_id:
                raise ValidationError(
                    {
                        "objective": "Link one of the lead's own appraisal objectives "
                        "(or none): that one is someone else's."
                    }
                )

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class StarTeamMember(models.Model):
    """A colleague on the project's team (the lead is on the project itself)."""

    project = models.ForeignKey(StarProject, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="star_team_places"
    )

    scope_school_path = "project__school"
    scope_trust_path = "project__school__trust"
    view_permission = "star.view"

    class Meta:
        ordering = ["project", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="star_member_once"),
        ]

    def __str__(self):
        return f"{self.user} on {self.project}"

    def audit_scope(self):
        return self.project.audit_scope()
