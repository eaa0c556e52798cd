"""A date form field for Thai users: shows and accepts Buddhist-Era years.

Use it in a form (`opens_on = BEDateField(label=...)`) or for a model date field in a
ModelForm (`Meta.field_classes = {"opens_on": BEDateField}`).
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolkit import thaidates


class BEDateInput(forms.TextInput):
    """A text box showing dd/mm/yyyy, the year in B.E. under Thai and C.E. under English.

    A text box, not <input type="date">: browsers render that in the Gregorian calendar
    whatever the page's language.
    """

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if "placeholder" not in widget_attrs:
            # Under English the box shows C.E. years, so its hint must not say B.E.
            widget_attrs["placeholder"] = (
                # Translators: the hint in an empty date box; in Thai "วว/ดด/ปปปป".
                _("dd/mm/yyyy (B.E.)") if thaidates.is_thai() else "dd/mm/yyyy"
            )
        return context

    def format_value(self, value):
        # The initial value is a date; a redisplayed bound value is what was typed.
        if isinstance(value, date):
            return thaidates.format_date_input(value)
        return super().format_value(value)


class BEDateField(forms.DateField):
    """A date typed as day/month/year; a year of 2400 or more is B.E. in any language."""

    widget = BEDateInput
    default_error_messages = {
        "invalid": _("Enter a date as day/month/year, for example 24/11/2569."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return thaidates.local_date(value)
        try:
            return thaidates.parse_date(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
