"""Form parts every app uses. Dates: every date a person types goes through DateField (plain
forms) or ModelForm (model forms, whose date fields become DateField), so the product accepts
only dates in a sensible range and says so, instead of failing later on arithmetic with the
year 9999."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# A school-improvement record is never dated before academies existed in number, nor beyond the
# century; anything outside is a typing slip (a year of 9999 or 0202).
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def validate_sensible_date(value: datetime.date) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            f"Enter a date between {EARLIEST_DATE:%-d %B %Y} and {LATEST_DATE:%-d %B %Y}.",
            code="date_out_of_range",
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        attrs = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat(), **(attrs or {})}
        super().__init__(attrs=attrs, **kwargs)


class DateField(forms.DateField):
    widget = DateInput
    default_validators = [validate_sensible_date]


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)


class _ModelFormMetaclass(forms.models.ModelFormMetaclass):
    """Django reads formfield_callback from each form's own Meta, which subclasses do not
    inherit: give every Meta ours unless it sets one."""

    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(_formfield)
        return super().__new__(mcs, name, bases, attrs)


class ModelForm(forms.ModelForm, metaclass=_ModelFormMetaclass):
    """Base of every model form: its date fields are DateField (sensible range)."""
