"""The person's booking form: a date, a start and an end on the resource's steps, a purpose."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from products.models import Product
from toolkit.fields import BEDateField
from toolkit.thaisort import thai_order

from .models import Purpose

MAX_WEEKS = 12


def slot_times(resource, periods):
    """Every step of the resource from its earliest opening to its latest closing."""
    if periods:
        first = min(p.opens for p in periods)
        last = max(p.closes for p in periods)
    else:
        first, last = time(0), time(23, 59)
    step = timedelta(minutes=resource.slot_minutes)
    day = timezone.localdate()
    moment = datetime.combine(day, first)
    end = datetime.combine(day, last)
    out = []
    while moment <= end and moment.date() == day:
        out.append(moment.strftime("%H:%M"))
        moment += step
    return out


class ClockTimeField(forms.Field):
    """A 24-hour time chosen from the resource's steps.

    Any HH:MM is accepted, so a time off the steps reaches the booking rules and is
    refused there with their own message, not with "not one of the choices".
    """

    default_error_messages = {"invalid": _("Enter a time as hours:minutes, for example 09:30.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        return value.strftime("%H:%M") if isinstance(value, time) else value


class BookingForm(forms.Form):
    day = BEDateField(label=_("Date"))
    start = ClockTimeField(label=_("Starts at"))
    end = ClockTimeField(label=_("Ends at"))
    purpose = forms.ChoiceField(
        label=_("What is the booking for?"), choices=Purpose.choices, widget=forms.RadioSelect
    )
    product = forms.ModelChoiceField(
        label=_("Product of your enterprise"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("The booking is shown on the product's page."),
    )
    description = forms.CharField(
        label=_("What you will do"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weeks = forms.IntegerField(
        label=_("Repeat weekly for how many weeks"),
        min_value=1,
        max_value=MAX_WEEKS,
        initial=1,
        help_text=_("1 books this date only; more books the same time every week."),
    )

    def __init__(self, *args, resource, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        periods = list(resource.opening_hours.all())
        choices = [("", "—")] + [(t, t) for t in slot_times(resource, periods)]
        for name in ("start", "end"):
            self.fields[name].widget = forms.Select(choices=choices)
        self.fields["product"].queryset = (
            Product.objects.editable_by(user)
            .select_related("enterprise")
            .order_by(thai_order("name_th"), "pk")
        )
        self.fields["product"].label_from_instance = lambda p: f"{p.name} · {p.enterprise.name}"

    @staticmethod
    def initial_from(query):
        """Initial values from the calendar's ?start=…&end=… (ISO, local time); bad ones ignored."""
        initial = {"weeks": 1}
        for key, field in (("start", "start"), ("end", "end")):
            try:
                moment = datetime.fromisoformat(query.get(key, ""))
                if timezone.is_naive(moment):
                    moment = timezone.make_aware(moment)
                moment = timezone.localtime(moment)
            except (ValueError, OverflowError):
                continue
            initial[field] = moment.time().replace(second=0, microsecond=0)
            if field == "start":
                initial["day"] = moment.date()
        return initial

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            starts_at = timezone.make_aware(datetime.combine(day, start))
            # An end at 00:00 is midnight at the end of the day.
            end_day = day + timedelta(days=1) if end == time(0) else day
            ends_at = timezone.make_aware(datetime.combine(end_day, end))
            if ends_at <= starts_at:
                self.add_error("end", _("The end must come after the start."))
            else:
                cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        if cleaned.get("purpose") == Purpose.PROTOTYPE and not cleaned.get("product"):
            self.add_error("product", _("Choose the enterprise's product the prototype is for."))
        if cleaned.get("purpose") != Purpose.PROTOTYPE:
            cleaned["product"] = None
        return cleaned

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "description": data["description"],
            "product": data["product"],
        }
