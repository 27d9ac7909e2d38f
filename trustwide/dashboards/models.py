"""What the dashboards keep of their own: the trust's schools-of-concern rule and the head's
termly commentary for the report to local governors. Everything else is read from the other
apps' selectors."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ConcernRule(models.Model):
    """When a school counts as "of concern". Each test is on its own; 0 switches it off.
    A school meeting any switched-on test is listed, with the tests it met."""

    trust = models.OneToOneField(
        "trusts.Trust", on_delete=models.CASCADE, related_name="concern_rule"
    )
    min_red_kpis = models.PositiveSmallIntegerField(
        "Headline KPIs rated red against national",
        default=2,
        validators=[MaxValueValidator(20)],
        help_text="A school is of concern with at least this many red ratings (0: not used).",
    )
    min_red_priorities = models.PositiveSmallIntegerField(
        "Plan priorities rated red this term",
        default=1,
        validators=[MaxValueValidator(50)],
        help_text="At least this many red priorities in the latest termly review (0: not used).",
    )
    min_overdue_actions = models.PositiveSmallIntegerField(
        "Overdue plan actions",
        default=3,
        validators=[MaxValueValidator(500)],
        help_text="At least this many actions past their due date and not complete (0: not used).",
    )
    min_missing_datasets = models.PositiveSmallIntegerField(
        "Pupil datasets missing or late",
        default=2,
        validators=[MaxValueValidator(10)],
        help_text="At least this many required datasets missing or late this year (0: not used).",
    )
    late_after_days = models.PositiveSmallIntegerField(
        "Data late after (days)",
        default=35,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A dataset whose latest import is older than this counts as late.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "trust"
    view_permission = "support.view"

    def __str__(self):
        return f"Schools-of-concern rule of {self.trust}"

    def audit_scope(self):
        return self.trust_id, None


class HeadReportCommentary(models.Model):
    """The head's own words in the termly report to local governors."""

    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, related_name="head_report_commentaries"
    )
    term = models.ForeignKey("trusts.Term", on_delete=models.CASCADE, related_name="+")
    summary = models.TextField(
        "Headteacher's summary",
        blank=True,
        help_text="What went well this term and what did not, in a few sentences.",
    )
    challenge = models.TextField(
        "Questions for governors to ask",
        blank=True,
        help_text="One per line. Added to the questions drawn from the data.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_school_path = "school"
    scope_trust_path = "school__trust"
    view_permission = "report.view"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "term"], name="one_head_report_commentary_per_term"
            )
        ]
        verbose_name_plural = "head's report commentaries"

    def __str__(self):
        return f"Head's report commentary, {self.school} {self.term}"

    def audit_scope(self):
        return self.school.trust_id, self.school_id
