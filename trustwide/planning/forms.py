"""Forms for planning pages. Model validation (dates, costs, numeric targets) runs in the
forms through the models' clean(), and again in the services."""

from __future__ import annotations

from django import forms

from trustwide.accounts.models import User
from trustwide.common.files import EVIDENCE_ACCEPT, EVIDENCE_HELP, evidence_validators
from trustwide.common.forms import DateField, DateInput, ModelForm

from . import hooks
from .models import (
    Action,
    ActionStatus,
    ActivityKind,
    IndicatorStage,
    Milestone,
    MonitoringActivity,
    PlanKind,
    Priority,
    Rag,
    StrategicPlan,
    SuccessCriterion,
    TrustPriority,
)


def staff_of(school):
    """People who hold a current role in the school, or lead its hub."""
    from django.db.models import Q

    from trustwide.accounts.models import Membership

    ids = (
        Membership.objects.active()
        .filter(Q(school=school) | Q(hub_id=school.hub_id, hub__isnull=False))
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("full_name")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.job_title})" if obj.job_title else obj.full_name


class StrategicPlanForm(ModelForm):
    class Meta:
        model = StrategicPlan
        fields = ["title", "first_year", "years", "vision"]


class TrustPriorityForm(ModelForm):
    indicators_y1_2 = forms.CharField(
        label="Success indicators, years 1 and 2",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    indicators_y2_4 = forms.CharField(
        label="Success indicators, years 2 to 4",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    indicators_y5 = forms.CharField(
        label="Success indicators, year 5",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )

    class Meta:
        model = TrustPriority
        fields = [
            "number",
            "code",
            "title",
            "theme",
            "narrative",
            "long_term_goal",
            "key_strategies",
            "lead_officers",
        ]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 4}),
            "long_term_goal": forms.Textarea(attrs={"rows": 3}),
            "key_strategies": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        if self.instance.pk:
            for stage in IndicatorStage.values:
                texts = [i.text for i in self.instance.indicators.all() if i.stage == stage]
                self.fields[f"indicators_{stage}"].initial = "\n".join(texts)

    def indicators(self) -> dict[str, list[str]]:
        return {
            stage: self.cleaned_data[f"indicators_{stage}"].splitlines()
            for stage in IndicatorStage.values
        }

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PocketGuideForm(forms.Form):
    """One row per trust priority: include it, its headline for the year and its focus."""

    introduction = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, priorities, guide=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.priorities = list(priorities)
        existing = {item.priority_id: item for item in guide.items.all()} if guide else {}
        if guide:
            self.fields["introduction"].initial = guide.introduction
        self.rows = []
        for p in self.priorities:
            item = existing.get(p.pk)
            prefix = f"p{p.pk}"
            is_business = "business" in p.theme.lower()
            self.fields[f"{prefix}_include"] = forms.BooleanField(
                required=False, initial=item is not None, label=f"Include {p.code}"
            )
            self.fields[f"{prefix}_headline"] = forms.CharField(
                required=False,
                max_length=200,
                initial=item.headline if item else "",
                label=f"{p.code} headline",
            )
            for flag in ("learning", "leadership", "parental"):
                self.fields[f"{prefix}_{flag}"] = forms.BooleanField(
                    required=False,
                    initial=getattr(item, f"focus_{flag}", False),
                    label=f"{p.code} {flag}",
                )
            self.fields[f"{prefix}_kind"] = forms.ChoiceField(
                choices=PlanKind.choices,
                label=f"{p.code} plan",
                initial=item.plan_kind if item else (PlanKind.BDP if is_business else PlanKind.SIP),
            )
            self.rows.append(
                (
                    p,
                    [
                        self[f"{prefix}_{n}"]
                        for n in (
                            "include",
                            "headline",
                            "learning",
                            "leadership",
                            "parental",
                            "kind",
                        )
                    ],
                )
            )

    def clean(self):
        data = super().clean()
        for p in self.priorities:
            if data.get(f"p{p.pk}_include") and not (data.get(f"p{p.pk}_headline") or "").strip():
                self.add_error(f"p{p.pk}_headline", f"Give {p.code} a headline for the year.")
        return data

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "priority": p,
                "headline": data[f"p{p.pk}_headline"].strip(),
                "focus_learning": data[f"p{p.pk}_learning"],
                "focus_leadership": data[f"p{p.pk}_leadership"],
                "focus_parental": data[f"p{p.pk}_parental"],
                "plan_kind": data[f"p{p.pk}_kind"],
            }
            for p in self.priorities
            if data.get(f"p{p.pk}_include")
        ]


class PlanCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=PlanKind.choices, label="Plan")
    academic_year = forms.ModelChoiceField(queryset=None, label="Academic year", empty_label=None)
    title = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = school.trust.academic_years.all()
        current = school.trust.academic_years.filter(is_current=True).first()
        if current:
            self.fields["academic_year"].initial = current.pk


class PlanTitleForm(forms.Form):
    title = forms.CharField(required=False, max_length=200)


class PriorityForm(ModelForm):
    sef_area_codes_text = forms.MultipleChoiceField(
        label="Self-evaluation areas for development",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The areas of the school's self-evaluation (this year's, or last year's) this priority addresses.",
    )

    class Meta:
        model = Priority
        fields = ["number", "title", "rationale", "intended_outcomes", "trust_priorities", "lead"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "intended_outcomes": forms.Textarea(attrs={"rows": 3}),
            "trust_priorities": forms.CheckboxSelectMultiple,
        }
        field_classes = {"lead": UserChoiceField}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["trust_priorities"].queryset = TrustPriority.objects.filter(
            strategic_plan__trust_id=plan.school.trust_id
        ).order_by("strategic_plan", "number")
        self.fields["trust_priorities"].label_from_instance = lambda tp: f"{tp.code}: {tp.title}"
        self.fields["lead"].queryset = staff_of(plan.school)
        from trustwide.evaluation.selectors import development_areas_for_plan

        choices = development_areas_for_plan(school=plan.school, academic_year=plan.academic_year)
        known = {code for code, _ in choices}
        # Keep codes linked earlier even if the SEF has moved on, so saving does not drop them.
        choices += [
            (code, code) for code in (self.instance.sef_area_codes or []) if code not in known
        ]
        self.fields["sef_area_codes_text"].choices = choices
        self.fields["sef_area_codes_text"].initial = list(self.instance.sef_area_codes or [])
        if not choices:
            self.fields[
                "sef_area_codes_text"
            ].help_text = "No self-evaluation for this school yet: start one to link its areas for development."

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "number": data["number"],
            "title": data["title"],
            "rationale": data["rationale"],
            "intended_outcomes": data["intended_outcomes"],
            "lead": data["lead"],
            "sef_area_codes": data["sef_area_codes_text"],
        }


class ActionForm(ModelForm):
    class Meta:
        model = Action
        fields = [
            "what",
            "how",
            "why",
            "owner",
            "supporters",
            "starts_on",
            "due_on",
            "cost",
            "budget_line",
            "staff_days",
            "status",
        ]
        widgets = {
            "starts_on": DateInput(),
            "due_on": DateInput(),
            "how": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"owner": UserChoiceField}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_of(school)


class ActionProgressForm(ModelForm):
    class Meta:
        model = Action
        fields = ["status", "spent", "progress_note"]
        widgets = {"progress_note": forms.Textarea(attrs={"rows": 3})}


class CriterionForm(ModelForm):
    class Meta:
        model = SuccessCriterion
        fields = [
            "description",
            "measure",
            "measure_kind",
            "baseline",
            "target",
            "target_date",
            "owner",
            "kpi_code",
            "kpi_group",
        ]
        widgets = {"target_date": DateInput()}
        field_classes = {"owner": UserChoiceField}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_of(school)
        self.fields[
            "kpi_code"
        ].help_text = "Optional: the KPI this criterion is measured by, so its status can be computed from data."
        groups = [("", "All pupils"), *hooks.criterion_group_labels.items()]
        if self.instance.kpi_group and self.instance.kpi_group not in dict(groups):
            groups.append((self.instance.kpi_group, self.instance.kpi_group))
        self.fields["kpi_group"] = forms.ChoiceField(
            label="KPI pupil group",
            choices=groups,
            required=False,
            help_text="Optional: the pupil group the KPI is read for. For a gap, the target is "
            "the largest gap allowed, in the KPI's unit (e.g. 5 for 5 percentage points).",
        )


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["term", "description", "achieved"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = plan.academic_year.terms.all()


class SmartOverrideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why governors may agree the plan although some criteria are not SMART.",
    )


class AgreeForm(forms.Form):
    meeting = forms.CharField(
        max_length=200, help_text="e.g. Local governing committee, 14 October."
    )
    agreed_on = DateField(label="Date of the meeting", widget=DateInput())


class ReturnForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="What needs to change."
    )


class BoardAgreeForm(forms.Form):
    meeting = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose the board meeting",
        help_text="The trust board meeting that agreed the plan; it must have been held.",
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m} – {m.get_status_display().lower()}"
        )


class EvaluateForm(forms.Form):
    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.priorities = list(priorities)
        for p in self.priorities:
            self.fields[f"impact_{p.pk}"] = forms.CharField(
                label=f"Impact: {p.number}. {p.title}",
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=p.impact_statement,
                required=False,
            )

    def statements(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"impact_{p.pk}", "") for p in self.priorities}


RAG_CHOICES = [("", "Not rated")] + list(Rag.choices)


class ActivityForm(ModelForm):
    class Meta:
        model = MonitoringActivity
        fields = ["kind", "focus", "term", "planned_on", "lead", "priority", "cancelled"]
        widgets = {"planned_on": DateInput()}
        field_classes = {"lead": UserChoiceField}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = plan.academic_year.terms.all()
        self.fields["lead"].queryset = staff_of(plan.school)
        self.fields["priority"].queryset = plan.priorities.all()
        self.fields["kind"].choices = ActivityKind.choices


class RecordForm(forms.Form):
    carried_out_on = DateField(label="Date carried out", widget=DateInput())
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    judgement = forms.ChoiceField(
        required=False, help_text="Lesson observations only, on the trust's scale."
    )
    next_steps = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.URLField(required=False, assume_scheme="https")
    evidence_note = forms.CharField(required=False, max_length=300)
    evidence_file = forms.FileField(
        required=False,
        label="Evidence file",
        help_text=f"{EVIDENCE_HELP} No pupil names.",
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        validators=evidence_validators(),
    )

    def __init__(self, *args, activity, scale, **kwargs):
        super().__init__(*args, **kwargs)
        if activity.kind == ActivityKind.LESSON_OBSERVATION:
            self.fields["judgement"].choices = [("", "Choose a judgement")] + [
                (g, g) for g in scale.grades
            ]
            self.fields["judgement"].required = True
        else:
            del self.fields["judgement"]


class ScaleForm(forms.Form):
    grades = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="One grade per line, best first."
    )
    good_or_better_count = forms.IntegerField(
        min_value=1, label="How many of the top grades count as at least good"
    )

    def grade_list(self) -> list[str]:
        return [g.strip() for g in self.cleaned_data["grades"].splitlines() if g.strip()]


class StaffObjectiveForm(forms.Form):
    user = UserChoiceField(queryset=User.objects.none(), label="Member of staff")
    text = forms.CharField(label="Objective", widget=forms.Textarea(attrs={"rows": 3}))
    criterion = forms.ModelChoiceField(
        queryset=SuccessCriterion.objects.none(), required=False, label="Success criterion it cites"
    )
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(), required=False, label="Or the priority it cites"
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_of(plan.school)
        self.fields["priority"].queryset = plan.priorities.all()
        self.fields["criterion"].queryset = SuccessCriterion.objects.filter(priority__plan=plan)

    def clean(self):
        data = super().clean()
        if not data.get("priority") and not data.get("criterion"):
            raise forms.ValidationError("Cite a priority or a success criterion.")
        return data


ACTION_STATUS_CHOICES = ActionStatus.choices


class MspVersionIssueForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="e.g. Second draft (May).")
    for_consultation = forms.BooleanField(
        required=False,
        initial=True,
        label="Send for consultation",
        help_text="Trustees, local governors and headteachers may then comment on each priority.",
    )


class MspCommentForm(forms.Form):
    priority_code = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 3}))


class MspAnswerForm(forms.Form):
    response = forms.CharField(label="Answer", widget=forms.Textarea(attrs={"rows": 3}))
