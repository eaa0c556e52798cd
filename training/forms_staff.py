"""Forms of the centre staff's pages: resources, clearance kinds, blackouts, maintenance, usage."""

from datetime import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from products.images import validate_photo
from toolkit.fields import BEDateField

from .models import (
    BOOKING_ROLES,
    Blackout,
    BlackoutReason,
    ClearanceKind,
    MaintenanceRecord,
    OpeningHours,
    Resource,
    UsageLog,
)
from .services.resources import INSTRUMENT_FIELDS, KILN_FIELDS, overlapping_periods

PHOTO_ATTRS = {"accept": "image/jpeg,image/png,image/webp"}


def time_input():
    # A text box, not type="time": browsers show that in 12-hour form in some locales.
    # No inputmode="numeric": a phone's number pad has no colon.
    return forms.TimeInput(format="%H:%M", attrs={"placeholder": "HH:MM", "size": 5})


class ResourceForm(forms.ModelForm):
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        validators=[validate_photo],
        widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS),
        help_text=_("JPEG, PNG or WebP, up to 10 MB."),
    )
    bookable_by = forms.MultipleChoiceField(
        label=_("Roles that may book"),
        choices=[(role.value, role.label) for role in BOOKING_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Centre staff may always book."),
    )

    class Meta:
        model = Resource
        fields = [
            "kind",
            "name_th",
            "name_en",
            "location",
            "description_th",
            "description_en",
            "slot_minutes",
            "min_minutes",
            "max_minutes",
            "earliest_hours",
            "latest_days",
            "cooldown_minutes",
            "required_clearance",
            "clearance_lapse_days",
            "needs_approval",
            "weekly_limit_hours",
            "no_show_after_minutes",
            "status",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["kind", "name_th", "name_en", "location", "photo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].initial = self.instance.photo or None
        self.fields["bookable_by"].initial = list(self.instance.bookable_by or [])
        self.fields["required_clearance"].empty_label = _("No clearance needed")
        for name in ("slot_minutes", "min_minutes", "max_minutes"):
            self.fields[name].validators.append(MinValueValidator(1))
            self.fields[name].widget.attrs["min"] = "1"
        # Far enough for any rule; further, "now + that" leaves the calendar and booking fails.
        for name, most in (
            ("earliest_hours", 24 * 366),
            ("latest_days", 3660),
            ("clearance_lapse_days", 3660),
        ):
            self.fields[name].validators.append(MaxValueValidator(most))
            self.fields[name].widget.attrs["max"] = str(most)
        self.fields["status"].help_text = _(
            "Under maintenance stops new bookings only; to cancel bookings already made, "
            "add a blackout."
        )

    def clean(self):
        cleaned = super().clean()
        shortest, longest = cleaned.get("min_minutes"), cleaned.get("max_minutes")
        if shortest and longest and shortest > longest:
            self.add_error(
                "max_minutes", _("The longest booking cannot be shorter than the shortest.")
            )
        step = cleaned.get("slot_minutes")
        if step and shortest and shortest % step:
            self.add_error(
                "min_minutes", _("The shortest booking must be a whole number of slot steps.")
            )
        return cleaned

    def photo_change(self):
        """None keeps the photo, False removes it, an upload replaces it."""
        if "photo" not in self.changed_data:
            return None
        return self.cleaned_data["photo"] or False


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        widgets = {"opens": time_input(), "closes": time_input()}

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and opens >= closes:
            # On "closes", so the model's own check is not run again with a generic message.
            self.add_error(
                "closes",
                _("The period must close after it opens (%(opens)s).")
                % {"opens": opens.strftime("%H:%M")},
            )
        return cleaned


class BaseOpeningHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        periods = [
            (form.cleaned_data["weekday"], form.cleaned_data["opens"], form.cleaned_data["closes"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("weekday") is not None
        ]
        clashes = overlapping_periods(periods)
        if clashes:
            labels = dict(OpeningHours._meta.get_field("weekday").choices)
            raise forms.ValidationError(
                [
                    _("Two periods of %(day)s overlap: %(a)s and %(b)s.")
                    % {
                        "day": labels[first[0]],
                        "a": f"{first[1]:%H:%M}–{first[2]:%H:%M}",
                        "b": f"{second[1]:%H:%M}–{second[2]:%H:%M}",
                    }
                    for first, second in clashes
                ]
            )

    def kept(self):
        deleted = set(self.deleted_forms)
        return [
            form.instance
            for form in self.forms
            if form not in deleted and (form.instance.pk or form.has_changed())
        ]

    def removed(self):
        return [form.instance for form in self.deleted_forms if form.instance.pk]


def opening_hours_formset(data=None, *, instance):
    extra = 2 if instance.pk else 7
    formset_class = forms.inlineformset_factory(
        Resource,
        OpeningHours,
        form=OpeningHoursForm,
        formset=BaseOpeningHoursFormSet,
        extra=extra,
        can_delete=True,
    )
    return formset_class(data, instance=instance, prefix="hours")


class ClearanceKindForm(forms.ModelForm):
    class Meta:
        model = ClearanceKind
        fields = [
            "name_th",
            "name_en",
            "code",
            "description_th",
            "description_en",
            "earned_at_th",
            "earned_at_en",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }


def _combine(day, at):
    return timezone.make_aware(datetime.combine(day, at))


class BlackoutForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("Resource"),
        queryset=Resource.objects.all(),
        required=False,
        empty_label=_("Every resource of the centre"),
    )
    start_date = BEDateField(label=_("From (date)"))
    start_time = forms.TimeField(label=_("From (time)"), widget=time_input())
    end_date = BEDateField(label=_("Until (date)"))
    end_time = forms.TimeField(label=_("Until (time)"), widget=time_input())
    reason = forms.ChoiceField(label=_("Reason"), choices=BlackoutReason.choices)
    note = forms.CharField(
        label=_("Note"), max_length=Blackout._meta.get_field("note").max_length, required=False
    )

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(name) for name in ("start_date", "start_time", "end_date", "end_time")]
        if all(part is not None for part in parts):
            cleaned["starts_at"] = _combine(parts[0], parts[1])
            cleaned["ends_at"] = _combine(parts[2], parts[3])
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end_time", _("The end must come after the start."))
            elif cleaned["ends_at"] <= timezone.now():
                self.add_error("end_date", _("This time is already over."))
        return cleaned


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = MaintenanceRecord
        fields = ["performed_on", "work", "performed_by", "next_due_on"]
        field_classes = {"performed_on": BEDateField, "next_due_on": BEDateField}
        widgets = {"work": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        done, due = cleaned.get("performed_on"), cleaned.get("next_due_on")
        if done and due and due < done:
            self.add_error("next_due_on", _("The next maintenance cannot be due before this one."))
        return cleaned


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.enterprise.name})"


class UsageForm(forms.ModelForm):
    """A firing's record for a kiln; samples and results for anything else."""

    products_fired = ProductChoiceField(
        label=_("Products fired"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = UsageLog
        fields = ["summary", *KILN_FIELDS, "products_fired", *INSTRUMENT_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "samples": forms.Textarea(attrs={"rows": 3}),
            "results": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, booking, products, **kwargs):
        super().__init__(*args, **kwargs)
        kept = (
            ("summary", *KILN_FIELDS, "products_fired")
            if booking.resource.is_kiln
            else (
                "summary",
                *INSTRUMENT_FIELDS,
            )
        )
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
        if "products_fired" in self.fields:
            self.fields["products_fired"].queryset = products
        if "cone" in self.fields:
            self.fields["cone"].help_text = _(
                'Type the cone as written: "06" is a low cone, "6" a high one.'
            )
        if "peak_temperature_c" in self.fields:
            self.fields["peak_temperature_c"].widget.attrs["max"] = "1800"

    def clean_peak_temperature_c(self):
        value = self.cleaned_data.get("peak_temperature_c")
        if value is not None and value > 1800:
            raise forms.ValidationError(_("A kiln here does not go above 1800 °C."))
        return value
