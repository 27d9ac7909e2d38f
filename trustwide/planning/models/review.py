"""Termly RAG ratings: one row per rated thing per term, so history by term is a query."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue (complete)"


class RatedKind(models.TextChoices):
    PRIORITY = "priority", "Priority"
    ACTION = "action", "Action"
    CRITERION = "criterion", "Success criterion"


class RagRating(models.Model):
    # The plan is stored as well as the rated thing, so roll-ups group without joins.
    plan = models.ForeignKey(
        "planning.SchoolPlan", on_delete=models.CASCADE, related_name="ratings"
    )
    term = models.ForeignKey("trusts.Term", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RatedKind.choices)
    priority = models.ForeignKey(
        "planning.Priority", on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    action = models.ForeignKey(
        "planning.Action", on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    criterion = models.ForeignKey(
        "planning.SuccessCriterion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ratings",
    )
    rating = models.CharField(max_length=10, choices=Rag.choices)
    commentary = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="Where the evidence is (link or note).")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(auto_now=True)
    # Priorities: derived from their actions and criteria unless overridden with a reason.
    is_derived = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)

    scope_school_path = "plan__school"
    scope_trust_path = "plan__school__trust"
    view_permission = "plan.view"

    class Meta:
        ordering = ["plan", "term__academic_year__start_year", "term__number", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "priority"],
                condition=Q(kind="priority"),
                name="rag_one_per_priority_term",
            ),
            models.UniqueConstraint(
                fields=["term", "action"],
                condition=Q(kind="action"),
                name="rag_one_per_action_term",
            ),
            models.UniqueConstraint(
                fields=["term", "criterion"],
                condition=Q(kind="criterion"),
                name="rag_one_per_criterion_term",
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["red", "amber", "green", "blue"]),
                name="rag_rating_on_scale",
            ),
        ]
        indexes = [models.Index(fields=["term", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id} {self.term}: {self.rating}"

    @property
    def subject_id(self):
        return {
            "priority": self.priority_id,
            "action": self.action_id,
            "criterion": self.criterion_id,
        }[self.kind]

    def validate_constraints(self, exclude=None):
        # Check only the uniqueness rule for this kind of rating (each is a query); the scale
        # is already checked by the field's choices and enforced again by the database.
        own = f"rag_one_per_{self.kind}_term"
        constraints = [c for c in self._meta.constraints if c.name == own]
        errors = {}
        for constraint in constraints:
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as exc:
                errors.setdefault("__all__", []).extend(exc.error_list)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        set_fields = [
            name for name in ("priority", "action", "criterion") if getattr(self, f"{name}_id")
        ]
        if set_fields != [self.kind]:
            raise ValidationError(
                "A rating is for exactly one priority, action or success criterion."
            )
        if (
            self.term_id
            and self.plan_id
            and self.term.academic_year_id != self.plan.academic_year_id
        ):
            raise ValidationError({"term": "Choose a term of the plan's academic year."})
        if (
            self.kind == RatedKind.PRIORITY
            and not self.is_derived
            and not self.override_reason.strip()
        ):
            raise ValidationError(
                {"override_reason": "Give a reason for overriding the derived rating."}
            )

    def audit_scope(self):
        return self.plan.school.trust_id, self.plan.school_id
