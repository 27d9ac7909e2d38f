from django import forms

from trustwide.common.forms import DateField, DateInput, ModelForm

from . import inspections
from .models import School, TermName


class SchoolProfileForm(ModelForm):
    class Meta:
        model = School
        fields = [
            "name", "hub", "phase", "age_low", "age_high", "academy_type", "pupils_on_roll",
            "capacity", "percent_disadvantaged", "percent_sen", "has_early_years",
            "has_sixth_form", "joined_trust_on",
        ]
        widgets = {"joined_trust_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = self.instance.trust.hubs.all()


class SchoolFilterForm(forms.Form):
    hub = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Hub")
    phase = forms.ChoiceField(required=False, label="Phase")

    def __init__(self, *args, hubs=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Phase

        self.fields["hub"].choices = [("", "All hubs")] + [(h.pk, h.name) for h in hubs]
        self.fields["phase"].choices = [("", "All phases")] + list(Phase.choices)


class InspectionForm(forms.Form):
    """An inspection or monitoring visit under one framework: one grade field per area the
    school has (early years and sixth form only where it has them)."""

    kind = forms.ChoiceField(label="Kind", choices=inspections.KIND_CHOICES, initial=inspections.FULL_INSPECTION)
    inspected_on = DateField(label="Date of the inspection")
    report_url = forms.URLField(label="Report link", required=False, assume_scheme="https")

    def __init__(self, *args, school, framework: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_codes = []
        for area in inspections.applicable_areas(
            framework, has_early_years=school.has_early_years, has_sixth_form=school.has_sixth_form
        ):
            self.fields[area.code] = forms.ChoiceField(
                label=area.name, required=False, choices=[("", "Not graded")] + [(g.code, g.label) for g in area.scale],
            )
            self.area_codes.append(area.code)

    def grades(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code in self.area_codes if self.cleaned_data.get(code)}


class TermDatesForm(forms.Form):
    """The three terms' dates; with `start_year` shown, for adding a year."""

    def __init__(self, *args, add_year: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if add_year:
            self.fields["start_year"] = forms.IntegerField(
                label="Academic year starting in September of", min_value=2000, max_value=2100,
            )
        for name, label in TermName.choices:
            self.fields[f"{name}_starts_on"] = DateField(label=f"{label} term starts")
            self.fields[f"{name}_ends_on"] = DateField(label=f"{label} term ends")

    def dates(self) -> dict:
        return {name: (self.cleaned_data[f"{name}_starts_on"], self.cleaned_data[f"{name}_ends_on"])
                for name, _ in TermName.choices}
