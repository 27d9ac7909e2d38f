from django import forms

from .models import DEFAULT_STALE_DAYS, SourceKind


class SourceForm(forms.Form):
    school = forms.ModelChoiceField(queryset=None, label="School")
    kind = forms.ChoiceField(label="Source", choices=SourceKind.choices)
    folder = forms.CharField(
        label="Folder",
        required=False,
        max_length=200,
        help_text="Inside the installation's feed folder, e.g. oak-primary. Name files by their "
        "data: characteristics…csv, attendance_marks…csv, assessments…xlsx (optionally with the "
        "year, e.g. _2025-26), or a CTF .xml.",
    )
    wonde_school_id = forms.CharField(
        label="Wonde school ID", required=False, max_length=20, help_text="e.g. A1930499544"
    )
    # Never rendered back: the browser never receives a saved token, not even after an error.
    token = forms.CharField(
        label="Wonde access token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    every_hours = forms.IntegerField(
        label="Run every (hours)", min_value=1, max_value=168, initial=24
    )
    is_enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    def __init__(self, *args, schools, token_saved: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["token"].help_text = (
            "A token is set — replace? It is stored encrypted and never shown: leave blank to "
            "keep it, or enter a new one to replace it."
            if token_saved
            else "Stored encrypted and never shown again."
        )


class FeedSettingsForm(forms.Form):
    stale_after_days = forms.IntegerField(
        label="Warn when a school's data is older than (days)",
        min_value=1,
        max_value=365,
        initial=DEFAULT_STALE_DAYS,
    )
