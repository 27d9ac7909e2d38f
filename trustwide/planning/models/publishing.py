"""Published pocket guides: the trust's MSP pocket guide, or a school's SIP or BDP pocket guide,
for one academic year. Publishing puts it on the home page of everyone it concerns and emails
them; the trust may also share a public read-only link (an unguessable token, revocable)."""

from django.conf import settings
from django.db import models


class GuideKind(models.TextChoices):
    MSP = "msp", "Trust pocket guide"
    SIP = "sip", "School improvement priorities"
    BDP = "bdp", "Business development priorities"


class GuidePublication(models.Model):
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "trusts.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=3, choices=GuideKind.choices)
    school = models.ForeignKey(
        "trusts.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the trust's pocket guide.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    public_token = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="Set while a public link is shared; cleared to revoke it.",
    )

    scope_school_path = "school"
    scope_trust_path = "trust"
    view_permission = "strategic_plan.view"
    scope_trust_wide = True  # the trust's own guide (no school) belongs to the whole trust

    class Meta:
        ordering = ["-published_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "academic_year", "kind", "school"], name="guide_publication_once"
            )
        ]

    def __str__(self):
        where = self.school.name if self.school_id else "the trust"
        return f"{self.get_kind_display()} {self.academic_year.label}, {where}"

    def audit_scope(self):
        return self.trust_id, self.school_id
