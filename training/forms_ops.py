"""Forms of the centre staff's daily work: decisions, cancellations, filters, clearances."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from toolkit.fields import BEDateField

from .models import BOOKING_ROLES, Booking, BookingStatus, ClearanceKind, Resource

APPROVE = "approve"
REJECT = "reject"


class DecisionForm(forms.Form):
    """Approve or reject one requested booking; a rejection says why."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, pgettext_lazy("booking decision", "Reject"))],
    )
    note = forms.CharField(
        label=_("Note to the person"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == REJECT and not cleaned.get("note", "").strip():
            self.add_error(
                "note", _("Say why the booking is rejected: the person reads this note.")
            )
        return cleaned


class BulkApproveForm(forms.Form):
    bookings = forms.ModelMultipleChoiceField(
        label=_("Bookings"),
        # Any booking: one decided since the page was shown is refused by the service and
        # listed with its reason, while the others are still approved.
        queryset=Booking.objects.all(),
        error_messages={
            "required": _("Select at least one booking to approve."),
            "invalid_choice": _("One of the selected bookings no longer exists."),
            "invalid_pk_value": _("One of the selected bookings no longer exists."),
        },
    )


class StaffCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the person is told)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for cancelling: the person is told.")},
    )


class BookingFilterForm(forms.Form):
    """The staff booking list's filters; every one may be left empty."""

    resource = forms.ModelChoiceField(
        label=_("Resource"),
        queryset=Resource.objects.all(),
        required=False,
        empty_label=_("All resources"),
    )
    status = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Every state")), *BookingStatus.choices],
        required=False,
    )
    date_from = BEDateField(label=_("From"), required=False)
    date_to = BEDateField(label=_("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not 1900 < day.year < 2200:
                # Local midnight of year 1 has no UTC time to compare with.
                self.add_error(name, self.fields[name].error_messages["invalid"])
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class ClearanceFilterForm(forms.Form):
    q = forms.CharField(label=_("Holder's name or email"), max_length=100, required=False)
    kind = forms.ModelChoiceField(
        label=_("Clearance"),
        queryset=ClearanceKind.objects.all(),
        required=False,
        empty_label=_("All clearances"),
    )
    revoked = forms.BooleanField(label=_("Include revoked clearances"), required=False)


class GrantForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the person"),
        help_text=_("The email the person signs in with: a student, faculty or entrepreneur."),
    )
    kind = forms.ModelChoiceField(
        label=_("Clearance"), queryset=ClearanceKind.objects.all(), empty_label=None
    )
    valid_until = BEDateField(label=_("Valid until"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(
                _("No account uses this email. The person must sign up first.")
            )
        if not person.is_active:
            raise forms.ValidationError(_("This account is closed; it cannot hold a clearance."))
        if person.role not in BOOKING_ROLES:
            raise forms.ValidationError(
                _(
                    "Clearances are for students, faculty and entrepreneurs, who book the lab;"
                    " this account is not one of them."
                )
            )
        self.holder = person
        return email


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the holder is told)"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for revoking the clearance.")},
    )
