from django import forms

from trustwide.common.forms import DateField, ModelForm

from . import gias, inspections
from .models import ClosureReason, Hub, Phase, School, TermName

SCHOOL_FIELDS = [
    "name",
    "urn",
    "la_code",
    "establishment_number",
    "ukprn",
    "phase",
    "establishment_type",
    "academy_type",
    "age_low",
    "age_high",
    "has_sixth_form",
    "has_nursery",
    "has_early_years",
    "street",
    "town",
    "postcode",
    "headteacher",
    "joined_trust_on",
    "hub",
    "pupils_on_roll",
    "capacity",
    "percent_disadvantaged",
    "percent_sen",
]


class SchoolProfileForm(ModelForm):
    """Add or edit a school: GIAS's identifiers and profile, and the trust's own figures."""

    class Meta:
        model = School
        fields = SCHOOL_FIELDS
        labels = {
            "la_code": "LA code",
            "establishment_number": "Establishment number (LAESTAB is LA code + this)",
            "age_low": "Statutory lowest age",
            "age_high": "Statutory highest age",
        }

    def __init__(self, *args, trust=None, **kwargs):
        super().__init__(*args, **kwargs)
        trust = trust or self.instance.trust
        self.fields["hub"].queryset = trust.hubs.all()
        names = sorted({name for name, _ in gias.establishment_types().values()})
        current = self.instance.establishment_type
        if current and current not in names:
            names.append(current)
        self.fields["establishment_type"] = forms.ChoiceField(
            label="Type of establishment",
            required=False,
            choices=[("", "–")] + [(n, n) for n in names],
        )


class SchoolCloseForm(forms.Form):
    left_trust_on = DateField(label="Last day in the trust")


class HubForm(ModelForm):
    class Meta:
        model = Hub
        fields = ["name", "executive_headteacher"]

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        from trustwide.accounts.models import User

        self.fields["executive_headteacher"].queryset = (
            User.objects.filter(memberships__trust=trust).distinct().order_by("full_name")
        )


class GiasUploadForm(forms.Form):
    file = forms.FileField(
        label="GIAS establishment data (CSV)",
        help_text="GIAS's 'all establishment data' download (edubasealldata*.csv) or an extract with the same columns.",
    )
    trust_code = forms.CharField(
        label="GIAS trust code",
        required=False,
        max_length=20,
        help_text="The 'Trusts (code)' column, e.g. 4015.",
    )
    trust_name = forms.CharField(
        label="or the trust's name as GIAS spells it", required=False, max_length=200
    )
    links_file = forms.FileField(
        label="GIAS links file (optional)",
        required=False,
        help_text="links_edubasealldata*.csv: records each school's earlier URNs so KPI history continues.",
    )

    def clean(self):
        data = super().clean()
        if (
            not (data.get("trust_code") or "").strip()
            and not (data.get("trust_name") or "").strip()
        ):
            raise forms.ValidationError("Give the trust's GIAS code or its name.")
        return data


class SchoolFilterForm(forms.Form):
    hub = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Hub")
    phase = forms.ChoiceField(required=False, label="Phase")

    def __init__(self, *args, hubs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].choices = [("", "All hubs")] + [(h.pk, h.name) for h in hubs]
        self.fields["phase"].choices = [("", "All phases")] + list(Phase.choices)


class InspectionForm(forms.Form):
    """An inspection or monitoring visit under one framework: one grade field per area the
    school has (early years and sixth form only where it has them)."""

    kind = forms.ChoiceField(
        label="Kind", choices=inspections.KIND_CHOICES, initial=inspections.FULL_INSPECTION
    )
    inspected_on = DateField(label="Date of the inspection")
    report_url = forms.URLField(label="Report link", required=False, assume_scheme="https")

    def __init__(self, *args, school, framework: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_codes = []
        for area in inspections.applicable_areas(
            framework, has_early_years=school.has_early_years, has_sixth_form=school.has_sixth_form
        ):
            self.fields[area.code] = forms.ChoiceField(
                label=area.name,
                required=False,
                choices=[("", "Not graded")] + [(g.code, g.label) for g in area.scale],
            )
            self.area_codes.append(area.code)

    def grades(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[code] for code in self.area_codes if self.cleaned_data.get(code)
        }


STRUCTURES = [("terms", "Three terms"), ("half_terms", "Six half-terms (autumn 1 and 2, ...)")]


class TermDatesForm(forms.Form):
    """The three terms' dates and their half-term breaks; with `start_year` shown, for adding a
    year; with `structure` shown (the trust's years), three terms or six half-terms. The break
    fields are needed only with six half-terms (the service says which is missing)."""

    def __init__(self, *args, add_year: bool = False, structure: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if add_year:
            self.fields["start_year"] = forms.IntegerField(
                label="Academic year starting in September of",
                min_value=2000,
                max_value=2100,
            )
        if structure:
            self.fields["structure"] = forms.ChoiceField(
                label="The year has",
                choices=STRUCTURES,
                widget=forms.RadioSelect,
                required=False,
                help_text="Left blank: as before (a new year: as the newest year).",
            )
        for name, label in TermName.choices:
            self.fields[f"{name}_starts_on"] = DateField(label=f"{label} term starts")
            self.fields[f"{name}_first_half_ends_on"] = DateField(
                label=f"{label} 1 ends (last day before half-term)", required=False
            )
            self.fields[f"{name}_second_half_starts_on"] = DateField(
                label=f"{label} 2 starts (first day after half-term)", required=False
            )
            self.fields[f"{name}_ends_on"] = DateField(label=f"{label} term ends")

    @property
    def half_terms(self) -> bool | None:
        chosen = self.cleaned_data.get("structure")
        return None if not chosen else chosen == "half_terms"

    def dates(self) -> dict:
        c = self.cleaned_data
        return {
            name: (
                c[f"{name}_starts_on"],
                c[f"{name}_ends_on"],
                c.get(f"{name}_first_half_ends_on"),
                c.get(f"{name}_second_half_starts_on"),
            )
            for name, _ in TermName.choices
        }

    @staticmethod
    def initial_from(terms, half_terms: bool | None = None) -> dict:
        """Initial values from (name, starts, ends[, first half ends, second half starts])."""
        initial = {} if half_terms is None else {"structure": STRUCTURES[half_terms][0]}
        for name, starts_on, ends_on, *half in terms:
            initial[f"{name}_starts_on"], initial[f"{name}_ends_on"] = starts_on, ends_on
            if half and half[0]:
                initial[f"{name}_first_half_ends_on"] = half[0]
                initial[f"{name}_second_half_starts_on"] = half[1]
        return initial


class ClosureDayForm(forms.Form):
    on = DateField(label="Date")
    reason = forms.ChoiceField(choices=ClosureReason.choices)
    note = forms.CharField(max_length=200, required=False, help_text="For example: staff training")
