from django import forms

from .models import ProviderKind
from .services import parse_domains


class SchoolAccountEmailForm(forms.Form):
    email = forms.EmailField(
        label="Your school email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label="Provider", choices=ProviderKind.choices)
    discovery_url = forms.URLField(
        label="Discovery URL",
        max_length=500,
        assume_scheme="https",
        help_text="Microsoft: https://login.microsoftonline.com/<tenant ID>/v2.0/.well-known/"
        "openid-configuration. Google: https://accounts.google.com/.well-known/"
        "openid-configuration.",
    )
    client_id = forms.CharField(label="Client ID", max_length=255)
    # Never rendered back: the browser never receives a saved secret, not even after an error.
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    domains = forms.CharField(
        label="Email domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The addresses this provider signs in, e.g. oakschool.org.uk, one per line.",
    )
    is_enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    def __init__(self, *args, secret_saved: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_secret"].help_text = (
            "A secret is saved (encrypted; it is never shown). Leave blank to keep it, or enter a "
            "new one to replace it."
            if secret_saved
            else "Saved encrypted and never shown again."
        )

    def clean_domains(self):
        return parse_domains(self.cleaned_data["domains"])
