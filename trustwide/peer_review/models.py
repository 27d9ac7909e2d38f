"""Peer review and support: triads and their rota of reviews, review findings and actions,
external audit partners, support categories (with the trust's rule and history),
non-negotiables, the expertise register, deployments and collaboration plans."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trustwide.access import Perm

from .support import CAPACITY_LABELS, CATEGORY_LABELS

TERM_LABELS = ["Autumn", "Spring", "Summer"]


class Triad(models.Model):
    """A group of schools that review each other during one academic year."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="triads")
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="triads"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    schools = models.ManyToManyField("trusts.School", related_name="triads")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_trust_path = "trust"
    view_permission = Perm.PEER_REVIEW_VIEW

    class Meta:
        ordering = ["trust", "academic_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "number"], name="triad_number_unique_in_year"
            )
        ]

    def __str__(self):
        return f"Triad {self.number} ({self.academic_year.label})"

    def clean(self):
        if self.academic_year_id and self.trust_id and self.academic_year.trust_id != self.trust_id:
            raise ValidationError({"academic_year": "That academic year belongs to another trust."})

    def audit_scope(self):
        return self.trust_id, None


class ReviewKind(models.TextChoices):
    PEER = "peer", "Peer review (triad)"
    EXTERNAL = "external", "External audit"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DRAFTED = "drafted", "Report drafted"
    AGREED = "agreed", "Report agreed"
    CANCELLED = "cancelled", "Cancelled"


class Review(models.Model):
    """One review visit to a school: by its triad (peer) or by external audit partners."""

    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="peer_reviews"
    )
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    triad = models.ForeignKey(
        Triad, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    kind = models.CharField(max_length=10, choices=ReviewKind.choices, default=ReviewKind.PEER)
    term = models.PositiveSmallIntegerField(choices=list(enumerate(TERM_LABELS)))
    visit_on = models.DateField("Visit date")
    access_from = models.DateField(
        help_text="Reviewers' access to the school starts (pre-visit reading)."
    )
    access_until = models.DateField(help_text="Reviewers' access ends (report written).")
    focus = models.CharField(max_length=400, help_text="What the review looks at.")
    focus_area_codes = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    summary = models.TextField("Overall summary", blank=True)
    strengths_to_share = models.TextField(blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "school"
    scope_hub_path = "school__hub"
    scope_trust_path = "school__trust"
    view_permission = Perm.PEER_REVIEW_VIEW

    class Meta:
        ordering = ["visit_on", "school__name"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.school.name}, {self.visit_on:%d/%m/%Y}"

    @property
    def term_label(self) -> str:
        return TERM_LABELS[self.term]

    @property
    def is_done(self) -> bool:
        return self.status in (ReviewStatus.DRAFTED, ReviewStatus.AGREED)

    def clean(self):
        errors = {}
        if self.access_from and self.access_until and self.access_until < self.access_from:
            errors["access_until"] = "Access ends before it starts."
        if (
            self.visit_on
            and self.access_from
            and self.access_until
            and not (self.access_from <= self.visit_on <= self.access_until)
        ):
            errors["visit_on"] = "The visit must fall within the reviewers' access window."
        if (
            self.school_id
            and self.academic_year_id
            and self.academic_year.trust_id != self.school.trust_id
        ):
            errors["academic_year"] = "That academic year belongs to another trust."
        if self.kind == ReviewKind.PEER and not self.triad_id:
            errors["triad"] = "A peer review belongs to a triad."
        if (
            self.triad_id
            and self.school_id
            and not self.triad.schools.filter(pk=self.school_id).exists()
        ):
            errors["school"] = "The school is not in this triad."
        if errors:
            raise ValidationError(errors)

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class Reviewer(models.Model):
    """A person on a review: a named leader of a reviewing school, or an external audit partner."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_roles",
    )
    name = models.CharField(max_length=200)
    from_school = models.ForeignKey(
        "trusts.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The reviewing school (empty for external partners).",
    )
    is_external = models.BooleanField(default=False)
    organisation = models.CharField(
        max_length=200, blank=True, help_text="External partner's organisation."
    )
    membership = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The time-boxed peer-reviewer access given for the visit.",
    )

    scope_school_path = "review__school"
    scope_hub_path = "review__school__hub"
    scope_trust_path = "review__school__trust"
    view_permission = Perm.PEER_REVIEW_VIEW

    class Meta:
        ordering = ["review", "is_external", "name"]

    def __str__(self):
        where = (
            self.organisation
            if self.is_external
            else (self.from_school.name if self.from_school_id else "")
        )
        return f"{self.name} ({where})" if where else self.name

    def clean(self):
        if self.from_school_id and self.review_id and self.from_school_id == self.review.school_id:
            raise ValidationError({"from_school": "A school cannot review itself."})
        if self.is_external and not self.organisation:
            raise ValidationError({"organisation": "Name the external partner's organisation."})

    def audit_scope(self):
        return self.review.school.trust_id, self.review.school_id


class Finding(models.Model):
    """The reviewers' findings on one focus area, and whether they agree with the school's grade."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    area_code = models.SlugField("SEF area", max_length=80, blank=True)
    area_name = models.CharField(max_length=200)
    findings = models.TextField()
    strengths = models.TextField("Strengths to share", blank=True)
    school_grade_code = models.SlugField(max_length=80, blank=True)
    agrees = models.BooleanField(
        null=True, blank=True, help_text="Agrees with the school's self-grade."
    )
    grade_code = models.SlugField("Reviewers' grade", max_length=80, blank=True)
    validation = models.ForeignKey(
        "evaluation.Validation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The SEF validation this finding recorded (feeds SEF accuracy).",
    )
    validation_note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "review__school"
    scope_hub_path = "review__school__hub"
    scope_trust_path = "review__school__trust"
    view_permission = Perm.PEER_REVIEW_VIEW

    class Meta:
        ordering = ["review", "pk"]

    def __str__(self):
        return f"{self.area_name} in {self.review}"

    def audit_scope(self):
        return self.review.school.trust_id, self.review.school_id


class ReviewAction(models.Model):
    """An action agreed at a review; it can be turned into an action of the school's plan."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    what = models.CharField(max_length=400)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    plan_action = models.ForeignKey(
        "planning.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_actions",
        help_text="The action in the school's plan this became.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "review__school"
    scope_hub_path = "review__school__hub"
    scope_trust_path = "review__school__trust"
    view_permission = Perm.PEER_REVIEW_VIEW

    class Meta:
        ordering = ["review", "due_on", "pk"]

    def __str__(self):
        return self.what[:120]

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name or "not named"

    @property
    def progress(self) -> str:
        """Open until it is in the plan; then the plan action's status."""
        if self.plan_action_id is None:
            return "Not yet in the plan"
        return self.plan_action.get_status_display()

    @property
    def is_open(self) -> bool:
        return self.plan_action_id is None or self.plan_action.status in (
            "not_started",
            "in_progress",
        )

    def clean(self):
        if not self.owner_id and not self.owner_name.strip():
            raise ValidationError({"owner_name": "Name the action's owner."})

    def audit_scope(self):
        return self.review.school.trust_id, self.review.school_id


# --------------------------------------------------------------------------- support


class SupportRule(models.Model):
    """The trust's rule for support categories (see support.py); visible to all who see support."""

    trust = models.OneToOneField(
        "trusts.Trust", on_delete=models.CASCADE, related_name="support_rule"
    )
    settings = models.JSONField(
        default=dict, help_text="Rule parameters; defaults fill any missing."
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "trust"
    view_permission = Perm.SUPPORT_VIEW

    def __str__(self):
        return f"Support rule of {self.trust}"

    @property
    def rule(self):
        from .support import Rule

        return Rule.from_dict(self.settings)

    def clean(self):
        problems = self.rule.problems()
        if problems:
            raise ValidationError(problems)

    def audit_scope(self):
        return self.trust_id, None


class SupportAssessment(models.Model):
    """A school's support category on a date, with the signals and reasons: the history."""

    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="support_assessments"
    )
    assessed_on = models.DateField()
    category = models.CharField(max_length=10, choices=list(CATEGORY_LABELS.items()))
    capacity = models.CharField(max_length=10, choices=list(CAPACITY_LABELS.items()))
    points = models.SmallIntegerField(default=0)
    reasons = models.JSONField(default=list)
    signals = models.JSONField(default=dict)
    rule = models.JSONField(default=dict, help_text="The rule as it stood.")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "school"
    scope_hub_path = "school__hub"
    scope_trust_path = "school__trust"
    view_permission = Perm.SUPPORT_VIEW

    class Meta:
        ordering = ["school", "-assessed_on", "-pk"]

    def __str__(self):
        return f"{self.school.name}: {self.get_category_display()} on {self.assessed_on:%d/%m/%Y}"

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class NonNegotiableKind(models.TextChoices):
    STRATEGY = "strategy", "Required strategy"
    MONITORING = "monitoring", "Monitoring model"


class NonNegotiable(models.Model):
    """Required of every school in a support category; shown with the school's plans."""

    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="non_negotiables"
    )
    category = models.CharField(max_length=10, choices=list(CATEGORY_LABELS.items()))
    kind = models.CharField(max_length=12, choices=NonNegotiableKind.choices)
    text = models.CharField(max_length=400)

    scope_trust_path = "trust"
    view_permission = Perm.SUPPORT_VIEW

    class Meta:
        ordering = ["trust", "category", "kind", "pk"]

    def __str__(self):
        return self.text[:120]

    def audit_scope(self):
        return self.trust_id, None


# --------------------------------------------------------------------------- expertise


class Expertise(models.Model):
    """A member of staff's entry in the trust's expertise register."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="expertise")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expertise"
    )
    home_school = models.ForeignKey(
        "trusts.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subjects = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated, e.g. reading, maths."
    )
    phases = models.CharField(max_length=200, blank=True, help_text="e.g. primary, secondary.")
    send = models.BooleanField("SEND expertise", default=False)
    leadership = models.BooleanField("Leadership expertise", default=False)
    qualifications = models.CharField(
        max_length=300, blank=True, help_text="e.g. NPQH, NPQSL, NPQLT."
    )
    designations = models.CharField(
        "Roles",
        max_length=300,
        blank=True,
        help_text="e.g. specialist leader of education, accredited moderator.",
    )
    days_per_term = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="Capacity to support other schools.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "trust"
    view_permission = Perm.SUPPORT_MANAGE

    class Meta:
        ordering = ["trust", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "user"], name="expertise_once_per_trust")
        ]
        verbose_name_plural = "expertise"

    def __str__(self):
        return f"Expertise of {self.user}"

    def keywords(self) -> set[str]:
        words = set()
        for text in (self.subjects, self.phases, self.qualifications, self.designations):
            words |= {w.strip().lower() for w in text.replace(";", ",").split(",") if w.strip()}
        if self.send:
            words.add("send")
        if self.leadership:
            words.add("leadership")
        return words

    def audit_scope(self):
        return self.trust_id, None


class DeploymentStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    COMPLETE = "complete", "Complete"


class Deployment(models.Model):
    """Someone's time given to another school: who, where, days, purpose and outcome."""

    expertise = models.ForeignKey(Expertise, on_delete=models.CASCADE, related_name="deployments")
    from_school = models.ForeignKey(
        "trusts.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deployments_out",
    )
    to_school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="deployments_in"
    )
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    term = models.PositiveSmallIntegerField(choices=list(enumerate(TERM_LABELS)))
    days = models.DecimalField(max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5)])
    purpose = models.CharField(max_length=400)
    outcome = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=DeploymentStatus.choices, default=DeploymentStatus.AGREED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_school_path = "to_school"
    scope_hub_path = "to_school__hub"
    scope_trust_path = "to_school__trust"
    view_permission = Perm.SUPPORT_VIEW

    class Meta:
        ordering = ["academic_year", "term", "to_school__name"]

    def __str__(self):
        return f"{self.expertise.user} to {self.to_school.name}: {self.days} days"

    def clean(self):
        if self.from_school_id and self.from_school_id == self.to_school_id:
            raise ValidationError({"to_school": "A deployment goes to another school."})
        if (
            self.to_school_id
            and self.expertise_id
            and self.to_school.trust_id != self.expertise.trust_id
        ):
            raise ValidationError({"to_school": "That school belongs to another trust."})

    def audit_scope(self):
        return self.to_school.trust_id, self.to_school_id


class CollaborationPlan(models.Model):
    """Schools working together, tested against the five tests of effective collaboration."""

    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="collaboration_plans"
    )
    title = models.CharField(max_length=200)
    schools = models.ManyToManyField("trusts.School", related_name="collaboration_plans")
    purpose = models.TextField(help_text="Test 1: a clear, shared purpose.")
    mutuality = models.TextField(help_text="Test 2: what each school gains.")
    change = models.TextField(
        help_text="Test 3: what will change in classrooms, and how it will be seen."
    )
    pace = models.TextField(help_text="Test 4: milestones and timescale.")
    prioritisation = models.TextField(help_text="Test 5: why this, now, over other work.")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_trust_path = "trust"
    view_permission = Perm.SUPPORT_VIEW

    class Meta:
        ordering = ["trust", "title"]

    def __str__(self):
        return self.title

    def audit_scope(self):
        return self.trust_id, None
