"""Computed KPI values (from the engine, one row per KPI x scope x period x group) and targets.

Pages and reports read these rows, never the Parquet store, so trust and school figures come
from the same numbers and agree.
"""

from django.conf import settings
from django.db import models

from trustwide.trusts.utils import year_label


class Level(models.TextChoices):
    SCHOOL = "school", "School"
    HUB = "hub", "Hub"
    TRUST = "trust", "Trust"


class KpiValue(models.Model):
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="kpi_values")
    academic_year = models.PositiveSmallIntegerField()
    kpi_code = models.CharField(max_length=60)
    level = models.CharField(max_length=10, choices=Level.choices)
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="kpi_values"
    )
    hub = models.ForeignKey(
        "trusts.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="kpi_values"
    )
    period = models.CharField(max_length=10)
    group = models.CharField(max_length=30)
    value = models.FloatField(null=True, blank=True, help_text="Empty when suppressed.")
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    pupils = models.PositiveIntegerField(default=0, help_text="The n behind the value.")
    suppressed = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    # School rows belong to their school; hub and trust rows are read through
    # selectors.kpi_values_for, which adds the hub and trust levels for users who cover them.
    scope_school_path = "school"
    view_permission = "kpi.view"

    class Meta:
        indexes = [
            models.Index(fields=["trust", "academic_year", "level", "period", "group"]),
            models.Index(fields=["school", "academic_year", "kpi_code"]),
        ]

    def __str__(self):
        return f"{self.kpi_code} {self.level} {self.period} {self.group}: {self.value}"


class KpiTarget(models.Model):
    """A target for a KPI in a year: the trust-wide default (school empty) or a school's own."""

    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="kpi_targets")
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="kpi_targets"
    )
    academic_year = models.PositiveSmallIntegerField()
    kpi_code = models.CharField(max_length=60)
    group = models.CharField(max_length=30, default="all")
    target = models.FloatField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_trust_path = "trust"
    view_permission = "kpi.view"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "school", "academic_year", "kpi_code", "group"],
                name="one_target_per_kpi",
            ),
        ]

    def __str__(self):
        return f"{self.kpi_code} target {self.target}"

    def audit_scope(self):
        return self.trust_id, self.school_id


class KpiRefresh(models.Model):
    """When the values of a trust's year were last computed, and how long it took."""

    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="kpi_refreshes"
    )
    academic_year = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()
    trigger = models.CharField(max_length=100)

    scope_trust_path = "trust"
    view_permission = "kpi.view"

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"KPI refresh of {self.trust_id} {self.academic_year} at {self.started_at:%Y-%m-%d %H:%M}"


class SchoolPerformance(models.Model):
    """A school's published figure from a DfE performance-table file (all schools in England),
    for percentiles. A value or a marker (SUPP, NE, NA, NP, LOWCOV, x, c), never both."""

    academic_year = models.PositiveSmallIntegerField()
    urn = models.PositiveIntegerField()
    phase = models.CharField(max_length=30)
    fsm_ever_pct = models.FloatField(
        null=True, blank=True, help_text="PNUMFSMEVER from the census file."
    )
    pupils_on_roll = models.PositiveIntegerField(
        null=True, blank=True, help_text="NOR from the census file."
    )
    kpi_code = models.CharField(max_length=60)
    value = models.FloatField(null=True, blank=True)
    marker = models.CharField(max_length=10, blank=True)
    source_file = models.CharField(max_length=200)
    school_name = models.CharField(max_length=200, blank=True)

    # Public national data: not scoped to a trust.
    scope_trust_path = None

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "urn", "kpi_code"], name="one_published_value"
            ),
        ]
        indexes = [models.Index(fields=["kpi_code", "academic_year", "phase"])]

    def __str__(self):
        return f"{self.urn} {self.kpi_code} {self.academic_year}: {self.value if self.value is not None else self.marker}"


class NationalFigure(models.Model):
    """A national figure read from the national rows of a DfE school-level file when it is
    imported (`trustwide benchmarks import`); the bundled national_benchmarks.csv holds the
    figures taken from DOMAIN.md. Both are read by national.lookup. Public data: not scoped."""

    measure = models.CharField(max_length=60)
    academic_year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=10, default="year")
    phase = models.CharField(max_length=30)
    group = models.CharField(max_length=30, default="all")
    value = models.FloatField()
    unit = models.CharField(max_length=10, default="%")
    basis = models.CharField(max_length=30)
    source = models.CharField(max_length=300)
    verified = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)

    scope_trust_path = None

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "academic_year", "period", "phase", "group"],
                name="one_imported_national_figure",
            )
        ]

    def __str__(self):
        return f"{self.measure} {self.academic_year} {self.phase}: {self.value}"


class A8EstimateTable(models.Model):
    """DfE's Attainment 8 estimates for one KS4 year, as imported from DfE's published table
    (`trustwide a8estimates import`, kpis/a8_estimates.py); Progress 8 reads the verified one.
    Importing a year again replaces its table. Public national data: not scoped to a trust."""

    ks4_year = models.PositiveSmallIntegerField(
        unique=True, help_text="Start year of the KS4 cohort's academic year (2023 = 2023/24)."
    )
    source = models.CharField(max_length=500)
    verified = models.BooleanField(default=False)
    source_file = models.CharField(max_length=200)
    has_limits = models.BooleanField(
        default=False, help_text="DfE's minimum pupil Progress 8 scores were given (the cap)."
    )
    imported_at = models.DateTimeField(auto_now=True)

    scope_trust_path = None

    def __str__(self):
        return f"Attainment 8 estimates {year_label(self.ks4_year)}"

    def audit_scope(self):
        return None, None


class A8Estimate(models.Model):
    """One KS2 prior-attainment range [ks2_low, ks2_high) of a year's estimates."""

    table = models.ForeignKey(A8EstimateTable, on_delete=models.CASCADE, related_name="rows")
    prior_attainment_group = models.CharField(max_length=30, blank=True)
    ks2_low = models.DecimalField(max_digits=5, decimal_places=1)
    ks2_high = models.DecimalField(max_digits=5, decimal_places=1)
    a8_estimate = models.FloatField()
    p8_limit = models.FloatField(
        null=True, blank=True, help_text="DfE's minimum pupil Progress 8 score for the range."
    )

    scope_trust_path = None

    class Meta:
        ordering = ["ks2_low"]

    def __str__(self):
        return f"{self.ks2_low}-{self.ks2_high}: {self.a8_estimate}"
