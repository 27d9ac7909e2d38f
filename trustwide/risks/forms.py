from __future__ import annotations

from django import forms
from django.db.models import Q

from trustwide.accounts.models import Membership, User
from trustwide.common.forms import DateField, DateInput, ModelForm

from .models import Risk
from .services import FIELDS

SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


def people_for(trust, school=None):
    memberships = Membership.objects.active().filter(trust=trust)
    if school is not None:
        memberships = memberships.filter(
            Q(school=school)
            | Q(hub_id=school.hub_id, hub__isnull=False)
            | Q(school__isnull=True, hub__isnull=True)
        )
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("full_name")


class RiskForm(ModelForm):
    owner = UserChoiceField(queryset=User.objects.none(), required=False)

    class Meta:
        model = Risk
        fields = list(FIELDS)  # the fields the services write
        widgets = {
            "review_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "controls": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "inherent_likelihood": "Inherent likelihood (1-5)",
            "inherent_impact": "Inherent impact (1-5)",
            "residual_likelihood": "Residual likelihood (1-5, after controls)",
            "residual_impact": "Residual impact (1-5, after controls)",
        }

    def __init__(self, *args, trust, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.trust = trust
        self.instance.school = school
        self.fields["owner"].queryset = people_for(trust, school)
        if school is None:
            del self.fields["mitigating_action"]
        else:
            from trustwide.planning.models import Action

            field = self.fields["mitigating_action"]
            field.queryset = (
                Action.objects.filter(priority__plan__school=school)
                .select_related("priority__plan__academic_year")
                .order_by("-priority__plan__academic_year__start_year", "priority__number", "pk")
            )
            field.label_from_instance = lambda a: (
                f"{a.priority.plan.academic_year.label} P{a.priority.number}: {a.what[:80]}"
            )
        for name in (
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
        ):
            self.fields[name].widget = forms.NumberInput(attrs={"min": 1, "max": 5})

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.fields if k in self.cleaned_data}


class ReviewForm(forms.Form):
    likelihood = forms.IntegerField(label="Residual likelihood now (1-5)", min_value=1, max_value=5)
    impact = forms.IntegerField(label="Residual impact now (1-5)", min_value=1, max_value=5)
    next_review_on = DateField(label="Next review date", widget=DateInput())
    note = forms.CharField(
        label="What has changed", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ThresholdForm(forms.Form):
    threshold = forms.IntegerField(
        label="Roll-up threshold (residual score, 1-25)",
        min_value=1,
        max_value=25,
        help_text="School risks scoring this or more (likelihood x impact) appear on the trust register.",
    )
