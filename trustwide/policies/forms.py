from __future__ import annotations

from django import forms
from django.utils import timezone

from trustwide.common.forms import DateField, DateInput, ModelForm
from trustwide.risks.forms import UserChoiceField, people_for
from trustwide.trusts.models import School

from . import review_dates
from .models import MAX_MONTHS, MIN_MONTHS, Policy, PolicyCategory
from .selectors import TRUST_WIDE


class PolicyForm(ModelForm):
    """Add or edit a policy. On the trust page the school is chosen (empty: trust-wide); on a
    school page, and when editing, it is fixed."""

    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        required=False,
        empty_label="Trust-wide (every school)",
        error_messages={"invalid_choice": "Choose one of this trust's schools."},
        help_text="Leave as trust-wide for a policy every school follows.",
    )
    owner = UserChoiceField(
        queryset=None, required=False, help_text="Who keeps the policy up to date."
    )
    document_url = forms.URLField(
        label="Link to the document",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Where staff and parents read it, for example on the website.",
    )

    class Meta:
        model = Policy
        fields = [
            "school",
            "title",
            "category",
            "statutory",
            "owner",
            "approver",
            "approved_on",
            "review_every_months",
            "next_review_on",
            "document_url",
            "notes",
            "status",
        ]
        widgets = {
            "approved_on": DateInput(),
            "next_review_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "review_every_months": forms.NumberInput(attrs={"min": MIN_MONTHS, "max": MAX_MONTHS}),
        }

    def __init__(self, *args, trust, school=None, choose_school=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.trust = trust
        if choose_school:
            self.fields["school"].queryset = School.objects.filter(trust=trust).order_by("name")
        else:
            del self.fields["school"]
            self.instance.school = school
        self.fields["owner"].queryset = people_for(trust, school)
        # Editing: show the next review date only when it was set by hand, so that a changed
        # approval date or interval moves a computed one on.
        if (
            self.instance.pk
            and self.instance.next_review_on == self.instance.computed_next_review()
        ):
            self.initial["next_review_on"] = None

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.fields if k in self.cleaned_data}


class ReviewForm(forms.Form):
    reviewed_on = DateField(label="Reviewed on", widget=DateInput())
    approved_on = DateField(label="Approved on", widget=DateInput())
    approver = forms.CharField(
        label="Approved by",
        max_length=120,
        required=False,
        help_text="For example: Trust board, Local governing committee.",
    )
    changes = forms.CharField(
        label="Summary of changes",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What changed in this version, or \u201cno changes\u201d.",
    )
    next_review_on = DateField(
        label="Next review due",
        widget=DateInput(),
        required=False,
        help_text="Leave empty to set it from the approval date and the review interval.",
    )

    def __init__(self, *args, policy, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"reviewed_on": today, "approved_on": today, "approver": policy.approver}
        )
        super().__init__(*args, **kwargs)


DUE_CHOICES = [("", "Every policy in force")] + [
    (state, review_dates.DUE_STATE_LABELS[state])
    for state in (
        review_dates.OVERDUE,
        review_dates.DUE,
        review_dates.IN_DATE,
        review_dates.NOT_APPROVED,
        review_dates.RETIRED,
    )
]


class RegisterFilterForm(forms.Form):
    school = forms.ChoiceField(label="School", required=False)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Every category"), *PolicyCategory.choices]
    )
    due = forms.ChoiceField(label="Review", required=False, choices=DUE_CHOICES)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].choices = [
                ("", "Every school and trust-wide"),
                (TRUST_WIDE, "Trust-wide only"),
            ] + [(str(s.pk), s.name) for s in schools]

    def values(self) -> dict:
        data = {}
        if self.is_bound:
            self.is_valid()  # an invalid filter is dropped; the valid ones still apply
            data = self.cleaned_data
        return {
            "school_filter": data.get("school", ""),
            "category": data.get("category", ""),
            "due": data.get("due", ""),
        }
