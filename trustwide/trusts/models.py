"""The scope tree: Trust > Hub (optional) > School, and the academic calendar."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from .utils import year_label


class MfaPolicy(models.TextChoices):
    """Who must use a second factor (an authenticator app) to log in. See accounts/mfa.py."""

    OFF = "off", "Nobody is required (people may still turn it on)"
    PUPIL_AND_TRUST_ROLES = (
        "pupil_and_trust_roles",
        "Everyone who may see pupils' data, and trust-level roles",
    )
    EVERYONE = "everyone", "Everyone"


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    companies_house_number = models.CharField(max_length=20, blank=True)
    gias_group_uid = models.CharField("GIAS group UID", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    mfa_policy = models.CharField(
        "two-step login required for",
        max_length=30,
        choices=MfaPolicy.choices,
        default=MfaPolicy.PUPIL_AND_TRUST_ROLES,
    )

    scope_trust_path = "pk"
    view_permission = "trust.view"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def audit_scope(self):
        return self.pk, None


class Hub(models.Model):
    """A group of a trust's schools led together, usually by an executive headteacher."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="hubs")
    name = models.CharField(max_length=120)
    executive_headteacher = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="led_hubs"
    )

    scope_trust_path = "trust"
    scope_hub_path = "pk"
    view_permission = "hub.view"

    class Meta:
        ordering = ["trust", "name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="hub_name_unique_in_trust")
        ]

    def __str__(self):
        return self.name

    def audit_scope(self):
        return self.trust_id, None


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
    SIXTEEN_PLUS = "16_plus", "16 plus"


class AcademyType(models.TextChoices):
    CONVERTER = "converter", "Academy converter"
    SPONSOR_LED = "sponsor_led", "Academy sponsor led"
    FREE_SCHOOL = "free_school", "Free school"
    SPECIAL_CONVERTER = "special_converter", "Academy special converter"
    SPECIAL_SPONSOR_LED = "special_sponsor_led", "Academy special sponsor led"
    ALTERNATIVE_PROVISION = "ap_academy", "Academy alternative provision"
    STUDIO_OR_UTC = "studio_utc", "Studio school or UTC"


percent_validators = [MinValueValidator(0), MaxValueValidator(100)]


class SchoolQuerySet(models.QuerySet):
    """Which schools belong to the trust on a day or in a period: the one rule every current
    page, dashboard and roll-up uses (a closed school stays readable on its own pages)."""

    def open_on(self, day: datetime.date):
        return self.open_between(day, day)

    def open_between(self, first: datetime.date, last: datetime.date):
        """In the trust at any time from `first` to `last` (inclusive): joined on or before
        `last` (or no date recorded) and not left before `first`."""
        return self.filter(
            models.Q(joined_trust_on__isnull=True) | models.Q(joined_trust_on__lte=last),
            models.Q(left_trust_on__isnull=True) | models.Q(left_trust_on__gte=first),
        )


class School(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="schools")
    hub = models.ForeignKey(
        Hub, on_delete=models.SET_NULL, null=True, blank=True, related_name="schools"
    )
    urn = models.PositiveIntegerField(
        "URN", unique=True, help_text="Unique reference number (6 digits)."
    )
    la_code = models.CharField(
        "LA code", max_length=3, validators=[RegexValidator(r"^\d{3}$", "Three digits, e.g. 383.")]
    )
    establishment_number = models.CharField(
        max_length=4, validators=[RegexValidator(r"^\d{4}$", "Four digits, e.g. 2358.")]
    )
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=30, choices=Phase.choices)
    age_low = models.PositiveSmallIntegerField(validators=[MaxValueValidator(19)])
    age_high = models.PositiveSmallIntegerField(validators=[MaxValueValidator(25)])
    academy_type = models.CharField(
        max_length=30,
        choices=AcademyType.choices,
        blank=True,
        help_text="Empty for a school that is not an academy.",
    )
    establishment_type = models.CharField(
        "type of establishment",
        max_length=100,
        blank=True,
        help_text="GIAS's type of establishment, e.g. Academy converter.",
    )
    ukprn = models.CharField(
        "UKPRN",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^1\d{7}$", "Eight digits starting with 1.")],
    )
    pupils_on_roll = models.PositiveIntegerField(default=0)
    capacity = models.PositiveIntegerField(default=0)
    percent_disadvantaged = models.DecimalField(
        "% disadvantaged",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=percent_validators,
    )
    percent_sen = models.DecimalField(
        "% SEN",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=percent_validators,
    )
    has_early_years = models.BooleanField(
        default=False, help_text="Has nursery or Reception classes."
    )
    has_sixth_form = models.BooleanField(default=False)
    has_nursery = models.BooleanField(
        default=False, help_text="Has nursery classes (GIAS nursery provision)."
    )
    street = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    headteacher = models.CharField("headteacher's name", max_length=200, blank=True)
    joined_trust_on = models.DateField(null=True, blank=True)
    left_trust_on = models.DateField(
        null=True,
        blank=True,
        help_text="Last day in the trust. A closed school stays readable, out of current pages.",
    )

    objects = SchoolQuerySet.as_manager()

    scope_trust_path = "trust"
    scope_hub_path = "hub"
    scope_school_path = "pk"
    view_permission = "school.view"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.establishment_number}"

    def is_open_on(self, day: datetime.date) -> bool:
        return (self.joined_trust_on is None or self.joined_trust_on <= day) and (
            self.left_trust_on is None or self.left_trust_on >= day
        )

    @property
    def age_range(self) -> str:
        return f"{self.age_low}-{self.age_high}"

    @property
    def latest_inspection(self):
        # Uses the prefetched list where a page prefetched it, so lists stay at a fixed query count.
        # Monitoring visits do not re-grade a school: the latest graded inspection stands.
        inspections = [i for i in self.inspections.all() if i.kind != "monitoring"]
        return max(inspections, key=lambda i: i.inspected_on) if inspections else None

    def clean(self):
        if self.age_low is not None and self.age_high is not None and self.age_low > self.age_high:
            raise ValidationError({"age_high": "The upper age is below the lower age."})
        if self.hub_id and self.trust_id and self.hub.trust_id != self.trust_id:
            raise ValidationError({"hub": "The hub belongs to another trust."})
        if (
            self.joined_trust_on
            and self.left_trust_on
            and self.left_trust_on < self.joined_trust_on
        ):
            raise ValidationError(
                {"left_trust_on": "The school leaves before it joined the trust."}
            )

    def audit_scope(self):
        return self.trust_id, self.pk


class SchoolLink(models.Model):
    """A school's earlier URN (GIAS links file): an academy conversion or merger gives the
    school a new URN; the link lets KPI history stored under the predecessor continue."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="predecessor_links")
    predecessor_urn = models.PositiveIntegerField("predecessor URN")
    predecessor_name = models.CharField(max_length=200, blank=True)
    link_type = models.CharField(max_length=80, help_text="GIAS link type, e.g. Predecessor.")
    linked_on = models.DateField(null=True, blank=True)

    scope_trust_path = "school__trust"
    scope_school_path = "school"
    view_permission = "school.view"

    class Meta:
        ordering = ["school", "-linked_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "predecessor_urn"], name="school_link_unique"
            ),
        ]

    def __str__(self):
        return f"{self.school} was URN {self.predecessor_urn}"

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class Inspection(models.Model):
    """An Ofsted inspection outcome: grades per area, keyed by the framework's area codes."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="inspections")
    framework = models.CharField(max_length=60, help_text="Framework code, e.g. ofsted-eif-2019.")
    inspected_on = models.DateField()
    grades = models.JSONField(
        default=dict,
        blank=True,
        help_text="Area code -> grade label (none for a monitoring visit).",
    )
    report_url = models.URLField("Report link", blank=True)
    kind = models.CharField(
        max_length=20,
        default="inspection",
        choices=[("inspection", "Inspection"), ("monitoring", "Monitoring visit")],
    )

    scope_trust_path = "school__trust"
    scope_school_path = "school"
    view_permission = "school.view"

    class Meta:
        ordering = ["school", "-inspected_on"]

    def __str__(self):
        return f"{self.school} inspection {self.inspected_on:%d/%m/%Y}"

    @property
    def framework_name(self) -> str:
        from .inspections import FRAMEWORKS

        spec = FRAMEWORKS.get(self.framework)
        return spec.name if spec else self.framework

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class AcademicYear(models.Model):
    """1 September to 31 August; `start_year` 2026 is the academic year 2026/27."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="academic_years")
    start_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    is_current = models.BooleanField(default=False)
    half_terms = models.BooleanField(
        "six half-terms",
        default=False,
        help_text="Each term is split in two at its half-term break (autumn 1 and 2, ...).",
    )

    scope_trust_path = "trust"
    view_permission = "trust.view"

    class Meta:
        ordering = ["trust", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "start_year"], name="academic_year_unique_in_trust"
            )
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return year_label(self.start_year)

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.start_year, 9, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 8, 31)

    def term_on(self, day: datetime.date):
        for term in self.terms.all():
            if term.starts_on <= day <= term.ends_on:
                return term
        return None

    def audit_scope(self):
        return self.trust_id, None


class TermName(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


TERM_ORDER = {TermName.AUTUMN: 1, TermName.SPRING: 2, TermName.SUMMER: 3}


class Term(models.Model):
    """A term of the trust's calendar: the unit of termly reporting (RAG, reviews, milestones,
    KPI periods). Its half-term break splits it into two half-terms when the year has six; a
    school on its own dates keeps this Term and overrides only the dates (SchoolTerm)."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=10, choices=TermName.choices)
    number = models.PositiveSmallIntegerField(editable=False)
    starts_on = models.DateField()
    ends_on = models.DateField()
    first_half_ends_on = models.DateField(
        "first half-term ends", null=True, blank=True, help_text="The last day before half-term."
    )
    second_half_starts_on = models.DateField(
        "second half-term starts", null=True, blank=True, help_text="The first day after it."
    )

    scope_trust_path = "academic_year__trust"
    view_permission = "trust.view"

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="term_unique_in_year")
        ]

    def __str__(self):
        return f"{self.get_name_display()} {self.academic_year.label}"

    def save(self, *args, **kwargs):
        self.number = TERM_ORDER[self.name]
        super().save(*args, **kwargs)

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The term ends before it starts."})
        year = self.academic_year
        if self.starts_on and not (year.starts_on <= self.starts_on <= year.ends_on):
            raise ValidationError({"starts_on": f"Outside the academic year {year.label}."})
        if self.ends_on and not (year.starts_on <= self.ends_on <= year.ends_on):
            raise ValidationError({"ends_on": f"Outside the academic year {year.label}."})

    def audit_scope(self):
        return self.academic_year.trust_id, None


def default_term_dates(start_year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """Typical English term dates: autumn from the first weekday of September to before
    Christmas, spring from early January to the Easter break, summer to late July."""

    def first_weekday(day: datetime.date) -> datetime.date:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    autumn_start = first_weekday(datetime.date(start_year, 9, 2))
    spring_start = first_weekday(datetime.date(start_year + 1, 1, 5))
    summer_start = first_weekday(datetime.date(start_year + 1, 4, 20))
    return [
        (TermName.AUTUMN, autumn_start, datetime.date(start_year, 12, 19)),
        (TermName.SPRING, spring_start, datetime.date(start_year + 1, 4, 2)),
        (TermName.SUMMER, summer_start, datetime.date(start_year + 1, 7, 22)),
    ]


class SchoolTerm(models.Model):
    """A school's own dates for one of the trust's terms (schools in other local authorities
    have other dates). The term stays the trust's Term: only its dates differ at this school.
    Read through trusts.calendar.term_dates_for, never directly."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="own_terms")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="school_dates")
    starts_on = models.DateField()
    ends_on = models.DateField()
    first_half_ends_on = models.DateField("first half-term ends", null=True, blank=True)
    second_half_starts_on = models.DateField("second half-term starts", null=True, blank=True)

    scope_school_path = "school"
    scope_trust_path = "school__trust"
    view_permission = "school.view"

    class Meta:
        ordering = ["school", "term__academic_year", "term__number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "term"], name="school_term_unique")
        ]

    def __str__(self):
        return f"{self.term} at {self.school}"

    def audit_scope(self):
        return self.school.trust_id, self.school_id


class ClosureReason(models.TextChoices):
    INSET = "inset", "INSET day"
    BANK_HOLIDAY = "bank_holiday", "Bank holiday"
    CLOSURE = "closure", "Closure"


class ClosureDay(models.Model):
    """A day in term when the school is closed to pupils. With no school it applies to every
    school of the trust (on the trust's dates or their own); a school's row to that school."""

    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="closure_days"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="closure_days"
    )
    on = models.DateField("date")
    reason = models.CharField(max_length=20, choices=ClosureReason.choices)
    note = models.CharField(max_length=200, blank=True)

    scope_school_path = "school"
    scope_trust_path = "academic_year__trust"
    scope_trust_wide = True  # a trust's closure day (no school) belongs to every school
    scope_trust_wide_readers = ("trust", "hub", "school")
    view_permission = "school.view"

    class Meta:
        ordering = ["academic_year", "on"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "on"],
                condition=models.Q(school__isnull=True),
                name="closure_day_unique_in_trust",
            ),
            models.UniqueConstraint(
                fields=["academic_year", "school", "on"],
                condition=models.Q(school__isnull=False),
                name="closure_day_unique_in_school",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} {self.on:%d/%m/%Y}"

    def audit_scope(self):
        return self.academic_year.trust_id, self.school_id
