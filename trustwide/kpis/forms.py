from django import forms

from . import definitions as d
from .groups import GROUP_LABELS

PERIODS = [
    ("year", "Full year"),
    ("ytd", "Year to date"),
    ("autumn", "Autumn term"),
    ("spring", "Spring term"),
    ("summer", "Summer term"),
]


class ReadingFilterForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, label="Academic year")
    period = forms.ChoiceField(choices=PERIODS, initial="year", required=False)
    group = forms.ChoiceField(
        choices=[(k, v) for k, v in GROUP_LABELS.items() if not k.endswith("_gap")],
        initial="all",
        label="Pupil group",
        required=False,
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.start_year, y.label) for y in years]


class TargetsForm(forms.Form):
    """One number per KPI; blank means no target."""

    def __init__(self, *args, current: dict[str, float], **kwargs):
        super().__init__(*args, **kwargs)
        for kpi in d.KPIS:
            self.fields[kpi.code] = forms.FloatField(
                label=kpi.name,
                required=False,
                initial=current.get(kpi.code),
                help_text=f"{'%' if kpi.unit == '%' else kpi.unit}, {kpi.better} is better",
            )


KEY_STAGES = [("ks4", "Key stage 4 (GCSE)"), ("ks2", "Key stage 2")]


class SubjectResultsForm(forms.Form):
    """Year, key stage and (on the trust grid) the KS4 figure each cell shows."""

    # Not required: a link naming only the key stage keeps the default year, and vice versa.
    year = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Academic year"
    )
    key_stage = forms.ChoiceField(
        choices=KEY_STAGES, initial="ks4", required=False, label="Key stage"
    )
    figure = forms.ChoiceField(
        choices=[],
        initial="grade4",
        required=False,
        label="KS4 figure",
    )

    def __init__(self, *args, years, figures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.start_year, y.label) for y in years]
        self.fields["figure"].choices = list(figures)
