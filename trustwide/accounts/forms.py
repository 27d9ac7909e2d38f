from django import forms
from django.contrib.auth.forms import AuthenticationForm

from trustwide.common.forms import DateField, DateInput

from .hashers import BUSY_MESSAGE, PasswordChecksBusy
from .models import Membership
from .roles import ROLE_LEVEL, Role, ScopeLevel


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self):
        try:
            return super().clean()
        except PasswordChecksBusy:
            # Not a failed sign-in (nothing was checked): no lockout count, ask to retry.
            raise forms.ValidationError(BUSY_MESSAGE, code="busy") from None

    @property
    def busy(self) -> bool:
        return self.has_error(forms.forms.NON_FIELD_ERRORS, "busy")


class MembershipForm(forms.Form):
    """Give someone a role: an existing user by email, or a new one (emailed an invitation)."""

    email = forms.EmailField(label="Email address")
    full_name = forms.CharField(
        label="Full name", max_length=150, help_text="Used when the person is new."
    )
    role = forms.ChoiceField(choices=Role.choices)
    hub = forms.ModelChoiceField(
        queryset=None, required=False, help_text="For an executive headteacher."
    )
    school = forms.ModelChoiceField(
        queryset=None, required=False, help_text="For a role held in one school."
    )
    starts_on = DateField(widget=DateInput())
    ends_on = DateField(
        widget=DateInput(), required=False, help_text="Required for peer reviewers."
    )

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        self.fields["hub"].queryset = trust.hubs.all()
        self.fields["school"].queryset = trust.schools.all()

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        level = ROLE_LEVEL[role]
        if level != ScopeLevel.SCHOOL:
            data["school"] = None
        if level != ScopeLevel.HUB:
            data["hub"] = None
        candidate = Membership(
            role=role,
            trust=self.trust,
            hub=data.get("hub"),
            school=data.get("school"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
        )
        try:
            candidate.clean()
        except forms.ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return data


class EndMembershipForm(forms.Form):
    ends_on = DateField(widget=DateInput(), label="Access ends on")


class StaffFileForm(forms.Form):
    file = forms.FileField(
        label="Staff CSV file", help_text="UTF-8 CSV, one person and role per row."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(
                "The file is larger than 2 MB: split it into smaller files."
            )
        return upload
