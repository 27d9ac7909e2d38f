from __future__ import annotations

from django import forms

from trustwide.accounts.models import User
from trustwide.common.forms import DateField, DateInput, ModelForm
from trustwide.risks.forms import UserChoiceField, people_for

from .models import (
    STANDARD_ITEMS,
    AgendaItem,
    AgendaKind,
    AttendanceStatus,
    BodyKind,
    CycleItem,
    GoverningBody,
    LinkRole,
    MeetingStatus,
    MemberRole,
    MinuteKind,
)
from .skills import SCALE, SKILLS


class BodyForm(forms.Form):
    kind = forms.ChoiceField(choices=BodyKind.choices)
    name = forms.CharField(max_length=200)
    school = forms.ModelChoiceField(
        queryset=None, required=False, help_text="For a local governing committee: its school."
    )

    def __init__(self, *args, trust, locked: str | None = None, **kwargs):
        """locked: why kind and school can no longer change (they are then shown, not sent)."""
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = trust.schools.order_by("name")
        if locked:
            for name in ("kind", "school"):
                self.fields[name].disabled = True
            self.fields["school"].help_text = locked


class MemberForm(forms.Form):
    body = forms.ModelChoiceField(
        queryset=None, required=False, label="Governing body", empty_label="Choose a body"
    )
    user = UserChoiceField(
        queryset=User.objects.none(),
        label="Person",
        help_text="People with a current role in the trust (local governors, trustees, staff).",
    )
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.MEMBER)
    link_roles = forms.MultipleChoiceField(
        choices=LinkRole.choices,
        required=False,
        label="Link governor for",
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = DateField(label="Term of office starts", widget=DateInput())
    ends_on = DateField(label="Term of office ends", widget=DateInput(), required=False)

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = GoverningBody.objects.filter(trust=trust).order_by(
            "kind", "name"
        )
        self.fields["user"].queryset = people_for(trust)

    def clean_body(self):
        body = self.cleaned_data.get("body")
        if body is None:
            raise forms.ValidationError("Choose the governing body this governor sits on.")
        return body


class MemberEditForm(forms.Form):
    """A member's role, link areas and term of office (the person and body stay)."""

    role = forms.ChoiceField(choices=MemberRole.choices)
    link_roles = forms.MultipleChoiceField(
        choices=LinkRole.choices,
        required=False,
        label="Link governor for",
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = DateField(label="Term of office starts", widget=DateInput())
    ends_on = DateField(
        label="Term of office ends",
        widget=DateInput(),
        required=False,
        help_text="Give the date to end a term of office: the member then stays in the "
        "attendance record.",
    )


class MeetingEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    held_on = DateField(label="Date", widget=DateInput())
    location = forms.CharField(max_length=200, required=False)
    status = forms.ChoiceField(choices=MeetingStatus.choices, initial=MeetingStatus.PLANNED)


class MeetingForm(MeetingEditForm):
    standard_items = forms.MultipleChoiceField(
        label="Standard agenda items",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k.value, k.label) for k in STANDARD_ITEMS],
        initial=[k.value for k in STANDARD_ITEMS],
    )


class AgendaItemForm(ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["kind", "title", "school", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.instance.number = 99
        self.fields["school"].queryset = meeting.body.trust.schools.order_by("name")
        self.fields["title"].required = False


class AgendaItemEditForm(AgendaItemForm):
    """The form validates a fresh instance (the item itself is changed by the service)."""

    def __init__(self, *args, meeting, count: int, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.fields["position"] = forms.IntegerField(
            min_value=1,
            max_value=count,
            label="Position on the agenda",
            help_text=f"1 to {count}: the rest of the agenda is renumbered around it.",
        )


class MinuteForm(forms.Form):
    kind = forms.ChoiceField(choices=MinuteKind.choices)
    agenda_item = forms.ModelChoiceField(queryset=None, required=False)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Question, challenge, decision or note"
    )
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Response given"
    )
    raised_by = UserChoiceField(queryset=User.objects.none(), required=False, label="Raised by")

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        self.fields["raised_by"].queryset = User.objects.filter(
            pk__in=meeting.body.members.values("user_id")
        ).order_by("full_name")


class AttendanceForm(forms.Form):
    def __init__(self, *args, members, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"m{m.user_id}"] = forms.ChoiceField(
                label=f"{m.user.full_name or m.user.email} ({m.get_role_display()})",
                choices=AttendanceStatus.choices,
                initial=current.get(m.user_id, AttendanceStatus.PRESENT),
            )

    def statuses(self) -> dict:
        return {m.user: self.cleaned_data[f"m{m.user_id}"] for m in self.members}


class ActionForm(forms.Form):
    description = forms.CharField(max_length=400)
    owner = UserChoiceField(queryset=User.objects.none(), required=False)
    due_on = DateField(widget=DateInput(), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_for(meeting.body.trust, meeting.body.school)


class VisitForm(forms.Form):
    visited_on = DateField(widget=DateInput(), label="Date of visit")
    priority = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Plan priority",
        help_text="The school improvement plan priority the visit looked at.",
    )
    focus = forms.CharField(max_length=300)
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you saw and heard. No pupil names.",
    )
    next_steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, school, keep_priority: int | None = None, **kwargs):
        """keep_priority: a visit's own priority stays a choice when editing it, even from an
        earlier year's plan."""
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        from trustwide.planning.models import Priority

        field = self.fields["priority"]
        field.queryset = (
            Priority.objects.filter(
                Q(plan__school=school, plan__academic_year__is_current=True)
                | Q(pk=keep_priority, plan__school=school)
            )
            .select_related("plan")
            .order_by("plan__kind", "number")
        )
        field.label_from_instance = lambda p: (
            f"{p.plan.get_kind_short()} {p.number}. {p.title[:90]}"
        )


class SkillsForm(forms.Form):
    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label, group in SKILLS:
            self.fields[code] = forms.TypedChoiceField(
                label=f"{label} ({group})",
                choices=SCALE,
                coerce=int,
                initial=current.get(code),
                widget=forms.Select,
            )

    def ratings(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code, _, _ in SKILLS}


class TrainingForm(forms.Form):
    title = forms.CharField(max_length=200, label="Course or session")
    provider = forms.CharField(max_length=200, required=False)
    completed_on = DateField(widget=DateInput())
    hours = forms.DecimalField(min_value=0, max_digits=5, decimal_places=1, initial=1)
    skill = forms.ChoiceField(
        choices=[("", "None")] + [(c, label) for c, label, _ in SKILLS], required=False
    )


class CycleItemForm(ModelForm):
    class Meta:
        model = CycleItem
        fields = [
            "title",
            "description",
            "category",
            "role",
            "per_school",
            "frequency",
            "month",
            "day",
            "days_before_term_end",
            "event",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.trust = trust


class TaskAssignForm(forms.Form):
    assignee = UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Assigned to",
        empty_label="Nobody by name: everyone who holds the role",
    )
    all_open = forms.BooleanField(
        required=False, label="Also assign this item's other open tasks this year here"
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people


class GenerateForm(forms.Form):
    academic_year = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = trust.academic_years.all()


KIND_LABELS = dict(AgendaKind.choices)
