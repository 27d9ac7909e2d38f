from django import forms

from trustwide.common.forms import DateInput, ModelForm

from .models import School


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
