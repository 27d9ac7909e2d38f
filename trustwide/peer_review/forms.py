from __future__ import annotations

from django import forms

from trustwide.common.forms import DateField, DateInput

from . import rota as rota_rules
from . import support as support_rules
from .models import TERM_LABELS, DeploymentStatus, NonNegotiableKind

DATE = DateInput()
TEXT = forms.Textarea(attrs={"rows": 4})
ARRANGE = [
    (rota_rules.MIX, "Mix them"),
    (rota_rules.TOGETHER, "Keep them together"),
    (rota_rules.ANY, "No preference"),
]


class RotaOptionsForm(forms.Form):
    hubs = forms.ChoiceField(label="Hubs in a triad", choices=ARRANGE, initial=rota_rules.MIX)
    phases = forms.ChoiceField(label="Phases in a triad", choices=ARRANGE, initial=rota_rules.ANY)


class TriadsForm(forms.Form):
    """One select per school: which triad it is in."""

    def __init__(
        self, *args, schools, groups: int, initial_groups: dict[int, int] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.schools = schools
        choices = [("", "Choose a triad")] + [(str(n), f"Triad {n}") for n in range(1, groups + 1)]
        for school in schools:
            self.fields[f"school_{school.pk}"] = forms.TypedChoiceField(
                label=f"{school.name} ({school.get_phase_display()}{', ' + school.hub.name if school.hub_id else ''})",
                choices=choices,
                coerce=int,
                required=False,
                initial=(initial_groups or {}).get(school.pk),
            )

    def groups(self) -> list[list]:
        by_number: dict[int, list] = {}
        for school in self.schools:
            number = self.cleaned_data.get(f"school_{school.pk}")
            if number:
                by_number.setdefault(number, []).append(school)
        return [by_number[n] for n in sorted(by_number)]


class ReviewEditForm(forms.Form):
    visit_on = DateField(label="Visit date", widget=DATE)
    focus = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewerAddForm(forms.Form):
    from_school = forms.ModelChoiceField(label="Reviewing school", queryset=None, required=False)
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to name the school's headteacher."
    )
    is_external = forms.BooleanField(label="External audit partner", required=False)
    organisation = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_school"].queryset = schools


class ExternalReviewForm(forms.Form):
    school = forms.ModelChoiceField(queryset=None)
    visit_on = DateField(label="Visit date", widget=DATE)
    focus = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))
    partner_name = forms.CharField(label="External partner's name", max_length=200)
    organisation = forms.CharField(label="Partner's organisation", max_length=200)
    second_partner = forms.CharField(
        label="Second partner's name (optional)", max_length=200, required=False
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


AGREE_CHOICES = [
    ("", "No view on the grade"),
    ("yes", "Agree with the school's grade"),
    ("no", "Give a different grade"),
]


class FindingForm(forms.Form):
    area_code = forms.ChoiceField(label="SEF area", required=False)
    area_name = forms.CharField(label="Or another focus area", max_length=200, required=False)
    findings = forms.CharField(widget=TEXT)
    strengths = forms.CharField(
        label="Strengths to share", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    agrees = forms.ChoiceField(
        label="The school's self-grade", choices=AGREE_CHOICES, required=False
    )
    grade_code = forms.ChoiceField(label="Reviewers' grade (if different)", required=False)

    def __init__(self, *args, areas, grades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [("", "Not an SEF area")] + list(areas)
        self.fields["grade_code"].choices = [("", "Choose a grade")] + list(grades)

    def clean(self):
        data = super().clean()
        if not data.get("area_code") and not (data.get("area_name") or "").strip():
            raise forms.ValidationError("Choose an SEF area or name the focus area.")
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        agrees = {"yes": True, "no": False}.get(d["agrees"])
        return dict(
            area_code=d["area_code"],
            area_name=d["area_name"],
            findings=d["findings"],
            strengths=d["strengths"],
            agrees=agrees,
            grade_code=d["grade_code"],
        )


class ReviewActionForm(forms.Form):
    what = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))
    owner_name = forms.CharField(
        label="Owner", max_length=200, help_text="Who leads it, e.g. the English lead."
    )
    due_on = DateField(label="Due date", widget=DATE)
    finding = forms.ModelChoiceField(label="From the finding on", queryset=None, required=False)

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = findings


class ReviewActionEditForm(ReviewActionForm):
    """The action's fields; its status only once it is in the plan, for those who may change it there."""

    def __init__(self, *args, findings, statuses=None, **kwargs):
        super().__init__(*args, findings=findings, **kwargs)
        if statuses:
            self.fields["status"] = forms.ChoiceField(
                label="Status in the school's plan", choices=statuses
            )

    def service_kwargs(self, item) -> dict:
        d = dict(self.cleaned_data)
        # The owner may be a named user (shown by name): keep them while the name is unchanged.
        if item.owner_id and d["owner_name"].strip() == str(item.owner):
            d.update(owner=item.owner, owner_name=item.owner_name)
        return d


class ReportForm(forms.Form):
    summary = forms.CharField(label="Overall summary", widget=forms.Textarea(attrs={"rows": 6}))
    strengths_to_share = forms.CharField(widget=TEXT, required=False)


class ToPlanForm(forms.Form):
    priority = forms.ModelChoiceField(
        label="Plan priority",
        queryset=None,
        help_text="The action is added under this priority of the school's plan.",
    )

    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["priority"].label_from_instance = lambda p: (
            f"{p.plan.get_kind_display()}: {p.number}. {p.title[:100]}"
        )


class SupportRuleForm(forms.Form):
    def __init__(self, *args, rule: support_rules.Rule, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in rule.as_dict().items():
            self.fields[name] = forms.IntegerField(
                label=name.replace("_", " ").capitalize(), initial=value, min_value=0, max_value=100
            )

    def clean(self):
        data = super().clean()
        if not self.errors:
            problems = support_rules.Rule.from_dict(data).problems()
            if problems:
                raise forms.ValidationError(problems)
        return data


class NonNegotiableForm(forms.Form):
    category = forms.ChoiceField(choices=list(support_rules.CATEGORY_LABELS.items()))
    kind = forms.ChoiceField(choices=NonNegotiableKind.choices)
    text = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))


class ExpertiseForm(forms.Form):
    home_school = forms.ModelChoiceField(queryset=None, required=False)
    subjects = forms.CharField(
        max_length=300, required=False, help_text="Comma-separated, e.g. reading, maths."
    )
    phases = forms.CharField(max_length=200, required=False, help_text="e.g. primary, secondary.")
    send = forms.BooleanField(label="SEND expertise", required=False)
    leadership = forms.BooleanField(label="Leadership expertise", required=False)
    qualifications = forms.CharField(
        max_length=300, required=False, help_text="e.g. NPQH, NPQSL, NPQLT."
    )
    designations = forms.CharField(
        label="Roles",
        max_length=300,
        required=False,
        help_text="e.g. specialist leader of education, accredited moderator.",
    )
    days_per_term = forms.DecimalField(
        label="Days a term you can give", min_value=0, max_value=60, decimal_places=1, initial=0
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_school"].queryset = schools


class DeploymentForm(forms.Form):
    expertise = forms.ModelChoiceField(label="Who", queryset=None)
    to_school = forms.ModelChoiceField(label="Where", queryset=None)
    term = forms.TypedChoiceField(choices=list(enumerate(TERM_LABELS)), coerce=int)
    days = forms.DecimalField(min_value=0.5, max_value=60, decimal_places=1)
    purpose = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(choices=DeploymentStatus.choices, initial=DeploymentStatus.AGREED)

    def __init__(self, *args, register, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = register
        self.fields["expertise"].label_from_instance = lambda e: (
            f"{e.user.full_name}{' (' + e.home_school.name + ')' if e.home_school_id else ''}"
        )
        self.fields["to_school"].queryset = schools


class DeploymentOutcomeForm(forms.Form):
    status = forms.ChoiceField(choices=DeploymentStatus.choices)
    outcome = forms.CharField(widget=TEXT, required=False)


class CollaborationForm(forms.Form):
    title = forms.CharField(max_length=200)
    schools = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label="Purpose: a clear, shared purpose", widget=TEXT)
    mutuality = forms.CharField(label="Mutuality: what each school gains", widget=TEXT)
    change = forms.CharField(label="Change: what will change in classrooms", widget=TEXT)
    pace = forms.CharField(label="Pace: milestones and timescale", widget=TEXT)
    prioritisation = forms.CharField(label="Prioritisation: why this, now", widget=TEXT)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools
