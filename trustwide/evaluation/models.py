"""Self-evaluation: frameworks (as data), SEFs, area judgements, evidence, validation, and the
trust's own self-review.

A framework's areas and grade scales are not rows: they live in ``Framework.definition`` (the
validated file data) and are read through ``Framework.spec`` (a frozen
``framework_files.FrameworkDefinition``, cached by fingerprint). Judgements and validations store
area and grade *codes*; services check every code against the framework before saving.
"""

from __future__ import annotations

import functools
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustwide.access import Perm

# Re-exported: the evidence forms, services and migration 0001 refer to them here.
from trustwide.common.files import (  # noqa: F401
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    evidence_validators,
    validate_evidence_size,
)

from .framework_files import FrameworkDefinition, validate_framework_data


@functools.lru_cache(maxsize=64)
def _definition(fingerprint: str, data_json: str, file_name: str) -> FrameworkDefinition:
    import json

    return validate_framework_data(json.loads(data_json), file_name=file_name)


class FrameworkKind(models.TextChoices):
    INSPECTION = "inspection", "Inspection framework"
    TRUST = "trust", "Trust framework"
    TRUST_SELF_REVIEW = "trust-self-review", "Trust self-review"


class FrameworkQuerySet(models.QuerySet):
    def available_to(self, trust_id: int):
        """Built-in frameworks and the trust's own."""
        return self.filter(Q(trust__isnull=True) | Q(trust_id=trust_id))


class Framework(models.Model):
    """One version of a framework. Built-in when ``trust`` is empty (loaded from the files in
    ``frameworks/``); trust-owned when a trust copied and edited one. A version used by any
    self-evaluation is never changed: editing it makes the next version."""

    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, null=True, blank=True, related_name="frameworks"
    )
    code = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=FrameworkKind.choices)
    definition = models.JSONField(help_text="The validated framework file data.")
    fingerprint = models.CharField(max_length=64)
    is_active = models.BooleanField(
        default=True, help_text="Offered for new self-evaluations (older versions are not)."
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkQuerySet.as_manager()

    # Trust-owned frameworks hang off their trust; built-in ones are read by everyone
    # (selectors add them explicitly).
    scope_trust_path = "trust"
    view_permission = Perm.SEF_VIEW

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "code", "version"], name="framework_version_unique_in_trust"
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(trust__isnull=True),
                name="builtin_framework_version_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})" if self.version > 1 else self.name

    @property
    def is_builtin(self) -> bool:
        return self.trust_id is None

    @property
    def spec(self) -> FrameworkDefinition:
        """The validated definition; cached per fingerprint (a changed definition gets a new one)."""
        import json

        cached = getattr(self, "_spec_cache", None)
        if cached is None or cached[0] != self.fingerprint:
            spec = _definition(
                self.fingerprint, json.dumps(self.definition, sort_keys=True), f"{self.code}.yaml"
            )
            self._spec_cache = cached = (self.fingerprint, spec)
        return cached[1]

    def audit_scope(self):
        return self.trust_id, None


class SefStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VALIDATED = "validated", "Validated"


class SelfEvaluation(models.Model):
    """A school's self-evaluation form (SEF) for one academic year against one framework."""

    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="self_evaluations"
    )
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.RESTRICT, related_name="self_evaluations"
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.RESTRICT, related_name="self_evaluations"
    )
    status = models.CharField(max_length=12, choices=SefStatus.choices, default=SefStatus.DRAFT)
    started_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Last year's SEF this one was started from.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "school__trust"
    scope_hub_path = "school__hub"
    scope_school_path = "school"
    view_permission = Perm.SEF_VIEW

    class Meta:
        ordering = ["school__name", "-academic_year__start_year"]
        verbose_name = "self-evaluation"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "framework"],
                name="sef_unique_per_school_year_framework",
            )
        ]

    def __str__(self):
        return f"SEF {self.school} {self.academic_year.label} ({self.framework.name})"

    def clean(self):
        if (
            self.school_id
            and self.academic_year_id
            and self.academic_year.trust_id != self.school.trust_id
        ):
            raise ValidationError({"academic_year": "That academic year belongs to another trust."})
        if self.framework_id and self.school_id:
            if self.framework.trust_id not in (None, self.school.trust_id):
                raise ValidationError({"framework": "That framework belongs to another trust."})
            if self.framework.kind == FrameworkKind.TRUST_SELF_REVIEW:
                raise ValidationError(
                    {"framework": "A trust self-review framework grades the trust, not a school."}
                )

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class AreaJudgement(models.Model):
    """The school's judgement of one area of its SEF."""

    sef = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="judgements")
    area_code = models.SlugField("area", max_length=80)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order of the area in the framework."
    )
    grade_code = models.SlugField("grade", max_length=80, blank=True)
    summary = models.TextField("evaluative summary", blank=True)
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    current_position = models.TextField(blank=True)
    actions = models.TextField("actions for improvement", blank=True)
    carried_forward = models.BooleanField(
        default=False,
        help_text="Copied from an earlier SEF (e.g. at the turn of the year) and not edited since.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "sef__school__trust"
    scope_hub_path = "sef__school__hub"
    scope_school_path = "sef__school"
    view_permission = Perm.SEF_VIEW

    class Meta:
        ordering = ["sef", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sef", "area_code"], name="judgement_unique_area_in_sef"
            )
        ]

    def __str__(self):
        return f"{self.area_code} in {self.sef}"

    def audit_scope(self):
        return self.sef.school.trust_id, self.sef.school_id


class EvidenceKind(models.TextChoices):
    TEXT = "text", "Text"
    LINK = "link", "Link"
    FILE = "file", "File"


def evidence_upload_to(instance, filename: str) -> str:
    base = os.path.basename(filename)
    return f"evidence/{timezone.now():%Y/%m}/{base}"


class Evidence(models.Model):
    """An evidence item of a SEF, tagged to one or more of its areas."""

    sef = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="evidence")
    areas = models.JSONField(default=list, help_text="Codes of the areas this evidence supports.")
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    url = models.URLField("link", blank=True, max_length=500)
    file = models.FileField(
        upload_to=evidence_upload_to,
        blank=True,
        max_length=300,
        validators=evidence_validators(),
    )
    file_size = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_trust_path = "sef__school__trust"
    scope_hub_path = "sef__school__hub"
    scope_school_path = "sef__school"
    view_permission = Perm.SEF_VIEW

    class Meta:
        ordering = ["sef", "-created_at", "-pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title

    @property
    def file_name(self) -> str:
        return os.path.basename(self.file.name) if self.file else ""

    def audit_scope(self):
        return self.sef.school.trust_id, self.sef.school_id


class ValidatorRole(models.TextChoices):
    TRUST_LEADER = "trust_leader", "Trust or hub leader (quality assurance)"
    PEER_REVIEWER = "peer_reviewer", "Peer reviewer"
    EXTERNAL = "external", "External audit partner"
    INSPECTION = "inspection", "Inspection"


class Validation(models.Model):
    """Someone else's view of one area judgement: agreement, or a different grade with a
    rationale. Inspection grades are recorded here too, as external validation."""

    judgement = models.ForeignKey(
        AreaJudgement, on_delete=models.CASCADE, related_name="validations"
    )
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validator_name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=ValidatorRole.choices)
    agrees = models.BooleanField(help_text="Agrees with the school's grade.")
    grade_code = models.SlugField("grade", max_length=80)
    rationale = models.TextField(blank=True)
    validated_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_trust_path = "judgement__sef__school__trust"
    scope_hub_path = "judgement__sef__school__hub"
    scope_school_path = "judgement__sef__school"
    view_permission = Perm.SEF_VIEW

    class Meta:
        ordering = ["judgement", "-validated_on", "-pk"]

    def __str__(self):
        verdict = "agrees" if self.agrees else f"grades {self.grade_code}"
        return f"{self.get_role_display()} {verdict} on {self.judgement.area_code}"

    def audit_scope(self):
        school = self.judgement.sef.school
        return school.trust_id, school.pk


class TrustSelfReview(models.Model):
    """A trust's review of itself against a trust-self-review framework, for one year."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="self_reviews")
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.RESTRICT, related_name="trust_self_reviews"
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.RESTRICT, related_name="trust_self_reviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "trust"
    # Trust-level only: readers are checked with can_in_trust in the views.
    view_permission = Perm.TRUST_SELF_REVIEW_EDIT

    class Meta:
        ordering = ["trust", "-academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "academic_year", "framework"], name="trust_self_review_unique"
            )
        ]

    def __str__(self):
        return f"{self.framework.name}, {self.academic_year.label}"

    def clean(self):
        if self.framework_id and self.framework.kind != FrameworkKind.TRUST_SELF_REVIEW:
            raise ValidationError({"framework": "Choose a trust self-review framework."})
        if self.trust_id and self.academic_year_id and self.academic_year.trust_id != self.trust_id:
            raise ValidationError({"academic_year": "That academic year belongs to another trust."})

    def audit_scope(self):
        return self.trust_id, None


class TrustStatementRating(models.Model):
    """The trust's rating of one statement of its self-review, with its current position and
    actions for improvement."""

    review = models.ForeignKey(TrustSelfReview, on_delete=models.CASCADE, related_name="ratings")
    area_code = models.SlugField("statement", max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    grade_code = models.SlugField("rating", max_length=80, blank=True)
    current_position = models.TextField(blank=True)
    actions = models.TextField("actions for improvement", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "review__trust"
    view_permission = Perm.TRUST_SELF_REVIEW_EDIT

    class Meta:
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "area_code"], name="rating_unique_statement_in_review"
            )
        ]

    def __str__(self):
        return f"{self.area_code} in {self.review}"

    def audit_scope(self):
        return self.review.trust_id, None
