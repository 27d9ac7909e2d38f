"""A member of staff's appraisal objective that cites the plan (the appraisal module comes later)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class StaffObjective(models.Model):
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="staff_objectives"
    )
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_objectives"
    )
    text = models.TextField()
    priority = models.ForeignKey(
        "planning.Priority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_objectives",
    )
    criterion = models.ForeignKey(
        "planning.SuccessCriterion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_objectives",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_school_path = "school"
    scope_trust_path = "school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["school", "user__full_name", "pk"]

    def __str__(self):
        return f"{self.user}: {self.text[:80]}"

    def clean(self):
        if not self.priority_id and not self.criterion_id:
            raise ValidationError("Cite a priority or a success criterion of the school's plan.")
        if self.criterion_id and not self.priority_id:
            self.priority_id = self.criterion.priority_id
        if self.criterion_id and self.criterion.priority_id != self.priority_id:
            raise ValidationError(
                {"criterion": "That success criterion belongs to another priority."}
            )
        if self.priority_id and self.school_id and self.priority.plan.school_id != self.school_id:
            raise ValidationError({"priority": "Cite a priority of this school's plan."})

    def audit_scope(self):
        return self.school.trust_id, self.school_id
