from django import forms

from trustwide.common.forms import ModelForm
from trustwide.kpis import definitions as kd
from trustwide.kpis.periods import PERIOD_CODES
from trustwide.trusts.models import Phase

from .models import ConcernRule, HeadReportCommentary
from .selectors import HEADLINE

PERIOD_LABELS = {
    "autumn": "Autumn term",
    "spring": "Spring term",
    "summer": "Summer term",
    "ytd": "Year to date",
    "year": "Whole year",
}


def _year_choices(years):
    return [(y.start_year, y.label) for y in years]


class TrustDashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int, required=False)
    hub = forms.TypedChoiceField(label="Hub", coerce=int, required=False, empty_value=None)
    phase = forms.ChoiceField(label="Phase", required=False)
    attention = forms.BooleanField(
        label="Only schools needing attention (a red rating)", required=False
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    dir = forms.ChoiceField(
        choices=[("asc", "asc"), ("desc", "desc")], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, years=(), hubs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(years)
        self.fields["hub"].choices = [("", "All hubs"), *[(h.pk, h.name) for h in hubs]]
        self.fields["phase"].choices = [("", "All phases"), *Phase.choices]


class SchoolDashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int, required=False)
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[(p, PERIOD_LABELS[p]) for p in reversed(PERIOD_CODES)],
    )
    kpi = forms.ChoiceField(label="KPI for groups and trends", required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(years)
        self.fields["kpi"].choices = [(c, kd.kpi_by_code(c).name) for c in HEADLINE]


class ConcernRuleForm(ModelForm):
    class Meta:
        model = ConcernRule
        fields = [
            "min_red_kpis",
            "min_red_priorities",
            "min_overdue_actions",
            "min_missing_datasets",
            "late_after_days",
        ]


class CommentaryForm(ModelForm):
    class Meta:
        model = HeadReportCommentary
        fields = ["summary", "challenge"]


class TermForm(forms.Form):
    term = forms.TypedChoiceField(label="Term", coerce=int, required=False)

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [
            (t.pk, f"{t.get_name_display()} {t.academic_year.label}") for t in terms
        ]
