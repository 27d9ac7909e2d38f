"""Forms of the local governing committees' reports to the board."""

from __future__ import annotations

from django import forms

from trustwide.planning.models import Priority, TrustPriority
from trustwide.trusts.models import Term

REASONING_REQUIRED = (
    "Give the governors' reasoning: how the trust priority is harming the school's priority."
)


class LgcReportForm(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), help_text="The term reported on.")
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The committee's own account of the term for the board. No pupil names.",
    )

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = (
            Term.objects.filter(academic_year__trust_id=body.trust_id)
            .select_related("academic_year")
            .order_by("-starts_on")
        )


class SummaryForm(forms.Form):
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))


class ConflictForm(forms.Form):
    trust_priority = forms.ModelChoiceField(
        queryset=TrustPriority.objects.none(), label="Trust (MSP) priority"
    )
    school_priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(), label="The school's priority it is harming"
    )
    reasoning = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": REASONING_REQUIRED},
        help_text="What the governors see happening, and what they ask of the board.",
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        body = report.body
        self.fields["trust_priority"].queryset = TrustPriority.objects.filter(
            strategic_plan__trust_id=body.trust_id
        ).order_by("-strategic_plan__pk", "number")
        self.fields["school_priority"].queryset = (
            Priority.objects.filter(
                plan__school_id=body.school_id,
                plan__academic_year_id=report.term.academic_year_id,
            )
            .select_related("plan")
            .order_by("plan__kind", "number")
        )

    def clean_reasoning(self):
        value = self.cleaned_data["reasoning"].strip()
        if not value:
            raise forms.ValidationError(REASONING_REQUIRED)
        return value


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Reply", widget=forms.Textarea(attrs={"rows": 4}), help_text="Seen by the committee."
    )
