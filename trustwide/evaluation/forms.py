from django import forms

from trustwide.common.forms import DateField, DateInput
from trustwide.trusts.models import Phase

from .framework_files import FrameworkDefinition
from .models import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES, EvidenceKind, ValidatorRole


def grade_choices(
    spec: FrameworkDefinition, area_code: str, *, blank: str | None = "Not graded yet"
):
    scale = spec.scale_for(area_code)
    choices = [(g.code, g.label) for g in scale.grades]
    return ([("", blank)] if blank is not None else []) + choices


def _grade_field(spec, area_code, *, label="Grade", required=False, blank="Not graded yet"):
    scale = spec.scale_for(area_code)
    allowed = ", ".join(g.label for g in scale.grades)
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=grade_choices(spec, area_code, blank=blank),
        error_messages={
            "invalid_choice": f"%(value)s is not a grade of the {scale.name} (expected one of: {allowed})."
        },
    )


class SefCreateForm(forms.Form):
    academic_year = forms.ModelChoiceField(queryset=None, label="Academic year", empty_label=None)
    framework = forms.ModelChoiceField(queryset=None, label="Framework", empty_label=None)
    start_from = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Start from an earlier SEF",
        help_text="Copies its grades and text as a starting point (grades only on the same framework).",
        empty_label="Start blank",
    )

    def __init__(self, *args, years, frameworks, earlier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = years
        self.fields["framework"].queryset = frameworks
        self.fields["start_from"].queryset = earlier
        self.fields["start_from"].label_from_instance = lambda s: (
            f"{s.academic_year.label}: {s.framework.name}"
        )


class JudgementForm(forms.Form):
    def __init__(self, *args, spec: FrameworkDefinition, area_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade_code"] = _grade_field(spec, area_code)
        self.fields["summary"] = forms.CharField(
            label="Evaluative summary",
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text="How well are we doing, and how do we know?",
        )
        self.fields["strengths"] = forms.CharField(
            required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="One per line."
        )
        self.fields["areas_for_development"] = forms.CharField(
            label="Areas for development",
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text="One per line: these are gathered across the trust to find common themes.",
        )
        for framework_field in spec.fields:
            if framework_field.code in ("current_position", "actions"):
                self.fields[framework_field.code] = forms.CharField(
                    label=framework_field.label,
                    help_text=framework_field.help,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        initial=EvidenceKind.TEXT,
        label="Kind of evidence",
    )
    title = forms.CharField(max_length=200)
    areas = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Areas it supports"
    )
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Text")
    url = forms.URLField(required=False, label="Link", assume_scheme="https")
    file = forms.FileField(
        required=False,
        help_text=f"Allowed: {', '.join(EVIDENCE_EXTENSIONS)}; at most {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join("." + e for e in EVIDENCE_EXTENSIONS)}
        ),
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = [(a.code, a.name) for a in areas]


class ValidationForm(forms.Form):
    role = forms.ChoiceField(label="Validating as")
    verdict = forms.ChoiceField(
        label="Your judgement",
        widget=forms.RadioSelect,
        choices=[
            ("agree", "I agree with the school's grade"),
            ("different", "I would give a different grade"),
        ],
    )
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you give a different grade.",
    )
    validated_on = DateField(widget=DateInput(), label="Date")
    validator_name = forms.CharField(
        required=False,
        max_length=200,
        label="Name of the validator",
        help_text="For an external audit partner or an inspection: who made the judgement (defaults to you).",
    )

    def __init__(self, *args, spec, area_code, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, ValidatorRole(r).label) for r in roles]
        self.fields["grade_code"] = _grade_field(
            spec, area_code, label="Your grade (if different)", blank="–"
        )
        self.order_fields(
            ["role", "verdict", "grade_code", "rationale", "validated_on", "validator_name"]
        )


class FrameworkCopyForm(forms.Form):
    name = forms.CharField(max_length=200)
    code = forms.SlugField(
        max_length=80, help_text="Short identifier: lower-case letters, digits and hyphens."
    )


class FrameworkEditForm(forms.Form):
    name = forms.CharField(max_length=200, label="Framework name")

    def __init__(self, *args, spec: FrameworkDefinition, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_fields = []
        for area in spec.all_areas():
            self.fields[f"name__{area.code}"] = forms.CharField(
                label=f"Name of area {area.code}", initial=area.name
            )
            self.fields[f"description__{area.code}"] = forms.CharField(
                label="Description",
                initial=area.description,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"prompts__{area.code}"] = forms.CharField(
                label="Prompts (one per line)",
                required=False,
                initial="\n".join(area.prompts),
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.area_fields.append(area.code)

    def area_changes(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            code: {
                "name": data[f"name__{code}"].strip(),
                "description": data[f"description__{code}"].strip(),
                "prompts": [
                    line.strip() for line in data[f"prompts__{code}"].splitlines() if line.strip()
                ],
            }
            for code in self.area_fields
        }

    def clean(self):
        cleaned = super().clean()
        for code in self.area_fields:
            prompts = [
                line.strip()
                for line in cleaned.get(f"prompts__{code}", "").splitlines()
                if line.strip()
            ]
            if len(prompts) != len(set(prompts)):
                self.add_error(f"prompts__{code}", "A prompt is given twice.")
        return cleaned


class TrustSelfReviewCreateForm(forms.Form):
    academic_year = forms.ModelChoiceField(queryset=None, label="Academic year", empty_label=None)
    framework = forms.ModelChoiceField(queryset=None, label="Self-review", empty_label=None)

    def __init__(self, *args, years, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = years
        self.fields["framework"].queryset = frameworks


class StatementRatingForm(forms.Form):
    def __init__(self, *args, spec: FrameworkDefinition, area_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade_code"] = _grade_field(
            spec, area_code, label="Where we stand", blank="Not rated yet"
        )
        labels = {f.code: f for f in spec.fields}
        for code in ("current_position", "actions"):
            f = labels.get(code)
            self.fields[code] = forms.CharField(
                label=f.label if f else code.replace("_", " ").capitalize(),
                help_text=f.help if f else "",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class MatrixFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Academic year"
    )
    framework = forms.ChoiceField(required=False, label="Framework")
    hub = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Hub")
    phase = forms.ChoiceField(required=False, label="Phase")

    def __init__(self, *args, years, frameworks, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.pk, y.label) for y in years]
        self.fields["framework"].choices = frameworks
        self.fields["hub"].choices = [("", "All hubs")] + [(h.pk, h.name) for h in hubs]
        self.fields["phase"].choices = [("", "All phases")] + list(Phase.choices)
