"""The list of people to enrol in a run at once: e-mail addresses, one a line or comma-separated."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

MAX_EMAILS = 300
SEPARATORS = re.compile(r"[\s,;]+")


def parse_emails(text):
    """(valid addresses lower-cased in the order given without repeats, malformed ones)."""
    valid, malformed, seen = [], [], set()
    for word in SEPARATORS.split(text or ""):
        word = word.strip().strip("<>").lower()
        if not word or word in seen:
            continue
        seen.add(word)
        try:
            validate_email(word)
        except ValidationError:
            malformed.append(word)
        else:
            valid.append(word)
    return valid, malformed


class EnrolManyForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses"),
        help_text=_("One a line or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        max_length=30000,
    )

    def clean_emails(self):
        valid, malformed = parse_emails(self.cleaned_data["emails"])
        if not valid and not malformed:
            raise ValidationError(_("Enter at least one e-mail address."))
        if len(valid) + len(malformed) > MAX_EMAILS:
            raise ValidationError(_("Enter at most %(n)d addresses at a time.") % {"n": MAX_EMAILS})
        self.malformed = malformed
        return valid
