from django import forms

from trustwide.common.forms import DateField, DateInput


class AuditFilterForm(forms.Form):
    school = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    person = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    date_from = DateField(required=False, widget=DateInput(), label="From")
    date_to = DateField(required=False, widget=DateInput(), label="To")

    def __init__(self, *args, schools=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, s.name) for s in schools]
        self.fields["person"].choices = [("", "Everyone")] + [(p.pk, str(p)) for p in people]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
