"""The termly RAG of the trust strategic plan (MSP): one stored rating per trust priority per
term, derived from the school priorities that cite it and the central team's own ratings, or
overridden by a trust leader with a reason (the rule is in planning/msp_rag.py).

The derived value, the inputs and the evidence (the school priorities that drove a red or amber)
are stored as they were when the rating was saved, so a past term reads the same later however
the school plans change afterwards."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .review import Rag


class MspRating(models.Model):
    trust_priority = models.ForeignKey(
        "planning.TrustPriority", on_delete=models.CASCADE, related_name="termly_ratings"
    )
    term = models.ForeignKey("trusts.Term", on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(max_length=10, choices=Rag.choices)
    # The rating the rule gave from the inputs when this was saved (blank: nothing to derive from).
    derived = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    is_derived = models.BooleanField(default=True)
    override_reason = models.TextField(blank=True)
    # The central team's own work on the priority: its actions (the key strategies) and each
    # success indicator ({indicator id: rating}), rated by trust leaders for the term.
    central_rating = models.CharField(
        "Central team's actions", max_length=10, choices=Rag.choices, blank=True
    )
    indicator_ratings = models.JSONField(default=dict, blank=True)
    commentary = models.TextField(blank=True)
    # Frozen at saving: drivers (school priorities rated red or amber), counts, indicator texts.
    evidence = models.JSONField(default=dict, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "trust_priority__strategic_plan__trust"
    view_permission = "strategic_plan.view"

    class Meta:
        ordering = ["trust_priority__number", "term__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "trust_priority"], name="msp_rating_one_per_priority_term"
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["red", "amber", "green", "blue"]),
                name="msp_rating_on_scale",
            ),
        ]
        verbose_name = "strategic plan RAG rating"

    def __str__(self):
        return f"{self.trust_priority.code} {self.term}: {self.rating}"

    def clean(self):
        if (
            self.term_id
            and self.trust_priority_id
            and self.term.academic_year.trust_id != self.trust_priority.strategic_plan.trust_id
        ):
            raise ValidationError({"term": "Choose a term of the trust's own calendar."})
        if not self.is_derived and not self.override_reason.strip():
            raise ValidationError(
                {"override_reason": "Give a reason for overriding the derived rating."}
            )

    def audit_scope(self):
        return self.trust_priority.strategic_plan.trust_id, None
