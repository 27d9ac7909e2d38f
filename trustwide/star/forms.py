from __future__ import annotations

from django import forms

from trustwide.accounts.models import User
from trustwide.common.forms import ModelForm

from . import selectors
from .models import NO_PUPIL_NAMES, ImpactRating, StarProject


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


def _rows(n):
    return forms.Textarea(attrs={"rows": n})


class StarProjectForm(ModelForm):
    """The write-up: intent (question, baseline) and implementation (method, measures), the
    priority it serves, and who runs it. Leaders choose the lead; staff lead their own."""

    lead = PersonChoiceField(queryset=User.objects.none(), required=False)
    members = PeopleChoiceField(
        label="Team members",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Colleagues at the school who run the project with the lead (optional).",
    )

    class Meta:
        model = StarProject
        fields = ["title", "priority", "objective", "question", "baseline", "method", "measures"]
        widgets = {
            "question": _rows(2),
            "baseline": _rows(3),
            "method": _rows(4),
            "measures": _rows(3),
        }

    def __init__(self, *args, school, choose_lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        from trustwide.planning.models import Priority, StaffObjective

        self.instance.school = school
        people = selectors.school_staff(school)
        self.fields["members"].queryset = people
        if self.instance.pk:
            self.initial.setdefault("members", [m.user_id for m in self.instance.team.all()])
        if choose_lead:
            self.fields["lead"].queryset = people
            self.fields["lead"].required = True
            self.fields["lead"].help_text = "The member of staff who leads the project."
            if self.instance.pk:
                self.initial.setdefault("lead", self.instance.lead_id)
        else:
            del self.fields["lead"]
        self.fields["priority"].required = True
        self.fields["priority"].queryset = (
            Priority.objects.filter(plan__school=school)
            .select_related("plan__academic_year")
            .order_by("-plan__academic_year__start_year", "plan__kind", "number")
        )
        self.fields["priority"].label_from_instance = lambda p: (
            f"{p.plan.academic_year.label} {p.plan.get_kind_short()} priority {p.number}: "
            f"{p.title[:90]}"
        )
        self.fields["objective"].queryset = (
            StaffObjective.objects.filter(school=school)
            .select_related("user", "academic_year")
            .order_by("-academic_year__start_year", "user__full_name", "pk")
        )
        self.fields["objective"].label_from_instance = lambda o: (
            f"{o.academic_year.label} {o.user.full_name}: {o.text[:80]}"
        )

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.fields if k in self.cleaned_data}


class EvaluateForm(forms.Form):
    findings = forms.CharField(widget=_rows(5), help_text="What happened. " + NO_PUPIL_NAMES)
    impact = forms.CharField(
        label="Impact statement",
        widget=_rows(4),
        help_text="What changed for pupils or staff, against the baseline and measures.",
    )
    impact_rating = forms.ChoiceField(
        label="Rating of impact", choices=ImpactRating.choices, widget=forms.RadioSelect
    )


class ExemplaryForm(forms.Form):
    note = forms.CharField(
        label="What makes it exemplary",
        widget=_rows(3),
        help_text="Published with the project to every member of staff of the trust. "
        + NO_PUPIL_NAMES,
    )
