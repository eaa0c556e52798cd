"""Forms of the course manager's pages: courses with the clearances they grant, runs, sessions."""

from datetime import UTC, datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from toolkit.fields import BEDateField
from toolkit.widgets import FilterableCheckboxSelectMultiple

from .forms_staff import time_input
from .models import Audience, Course, CourseClearance, CourseRun, CourseSession, Resource

# The longest validity a course may grant with its clearance (a hundred years).
MAX_VALID_DAYS = 36525

# Who may teach: faculty and officers.
INSTRUCTOR_ROLES = (Role.FACULTY, Role.OFFICER)


def _combine(day, at):
    moment = timezone.make_aware(datetime.combine(day, at))
    try:
        moment.astimezone(UTC)  # stored in UTC: 1/1/1 00:00 in Bangkok is before year 1
    except OverflowError:
        raise forms.ValidationError(BEDateField.default_error_messages["invalid"]) from None
    return moment


def _local(moment):
    return timezone.localtime(moment) if moment else None


class InstructorField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=get_user_model()
            .objects.filter(role__in=INSTRUCTOR_ROLES, is_active=True)
            .order_by("full_name", "email"),
            label=_("Instructors"),
            required=False,
            widget=FilterableCheckboxSelectMultiple,
            help_text=_("Faculty members and officers."),
            **kwargs,
        )

    def label_from_instance(self, obj):
        return f"{obj.full_name or obj.email} ({obj.get_role_display()})"

    def _check_values(self, value):
        # An id beyond any key's range is no one: refused as an unknown choice, where the
        # database would fail on it (SQLite overflows, PostgreSQL rejects the bigint).
        for pk in value:
            try:
                in_range = abs(int(str(pk).strip())) < 2**63
            except (TypeError, ValueError):
                in_range = True  # left to the field's own "not a valid value" message
            if not in_range:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class CourseForm(forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Who may enrol themselves."),
        error_messages={"required": _("Choose at least one audience.")},
    )
    instructors = InstructorField()

    class Meta:
        model = Course
        fields = [
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "hours",
            "attendance_required",
            "is_published",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["title_th", "title_en", "description_th", "description_en", "audience"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].initial = list(self.instance.audience or [])
        if self.instance.pk:
            self.fields["instructors"].initial = list(self.instance.instructors.all())
        share = self.fields["attendance_required"]
        share.validators.append(MaxValueValidator(100))
        share.widget.attrs.update(min="0", max="100")
        hours = self.fields["hours"]
        hours.validators.append(MinValueValidator(0))
        hours.widget.attrs["min"] = "0"

    def clean_attendance_required(self):
        value = self.cleaned_data.get("attendance_required")
        if value is not None and value > 100:
            raise forms.ValidationError(_("The attendance needed cannot be more than 100%."))
        return value


class CourseClearanceForm(forms.ModelForm):
    class Meta:
        model = CourseClearance
        fields = ["kind", "valid_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_days"].validators.append(MinValueValidator(1))
        self.fields["valid_days"].widget.attrs["min"] = "1"
        # A hundred years at most: closing the run adds these days to today's date.
        self.fields["valid_days"].validators.append(MaxValueValidator(MAX_VALID_DAYS))
        self.fields["valid_days"].widget.attrs["max"] = str(MAX_VALID_DAYS)


class BaseCourseClearanceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kinds = [
            form.cleaned_data["kind"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("kind")
        ]
        if len(kinds) != len(set(kinds)):
            raise forms.ValidationError(_("Each clearance may be granted once."))

    def kept(self):
        deleted = set(self.deleted_forms)
        return [
            form.instance
            for form in self.forms
            if form not in deleted and (form.instance.pk or form.has_changed())
        ]

    def removed(self):
        return [form.instance for form in self.deleted_forms if form.instance.pk]


def clearance_formset(data=None, *, instance):
    formset_class = forms.inlineformset_factory(
        Course,
        CourseClearance,
        form=CourseClearanceForm,
        formset=BaseCourseClearanceFormSet,
        extra=2,
        can_delete=True,
    )
    return formset_class(data, instance=instance, prefix="grants")


class RunForm(forms.ModelForm):
    opens_date = BEDateField(label=_("Enrolment opens (date)"))
    opens_time = forms.TimeField(label=_("Enrolment opens (time)"), widget=time_input())
    closes_date = BEDateField(label=_("Enrolment closes (date)"))
    closes_time = forms.TimeField(label=_("Enrolment closes (time)"), widget=time_input())
    instructors = InstructorField()

    class Meta:
        model = CourseRun
        fields = ["name", "capacity", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        run = self.instance
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].widget.attrs["min"] = "1"
        if run.pk:
            opens, closes = _local(run.enrol_opens_at), _local(run.enrol_closes_at)
            self.fields["opens_date"].initial = opens.date()
            self.fields["opens_time"].initial = opens.time()
            self.fields["closes_date"].initial = closes.date()
            self.fields["closes_time"].initial = closes.time()
            self.fields["instructors"].initial = list(run.instructors.all())
        else:
            self.fields["instructors"].initial = list(run.course.instructors.all())

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(n) for n in ("opens_date", "opens_time", "closes_date", "closes_time")]
        if all(part is not None for part in parts):
            opens, closes = _combine(parts[0], parts[1]), _combine(parts[2], parts[3])
            if closes <= opens:
                self.add_error("closes_date", _("Enrolment must close after it opens."))
            else:
                self.instance.enrol_opens_at, self.instance.enrol_closes_at = opens, closes
        return cleaned


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display()})"


class SessionForm(forms.Form):
    title = forms.CharField(
        label=_("Topic"),
        max_length=CourseSession._meta.get_field("title").max_length,
        required=False,
    )
    date = BEDateField(label=_("Date"))
    start = forms.TimeField(label=_("Starts"), widget=time_input())
    end = forms.TimeField(label=_("Ends"), widget=time_input())
    room = RoomChoiceField(
        label=_("Room of the centre"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("Not at the centre"),
        help_text=_("Booked in the lab calendar for the session's time."),
    )
    place = forms.CharField(
        label=_("Place elsewhere"),
        max_length=CourseSession._meta.get_field("place").max_length,
        required=False,
        help_text=_("For example: a room of the university. Leave empty for a room of the centre."),
    )

    def __init__(self, *args, session=None, **kwargs):
        if session is not None and "initial" not in kwargs:
            starts, ends = _local(session.starts_at), _local(session.ends_at)
            kwargs["initial"] = {
                "title": session.title,
                "date": starts.date(),
                "start": starts.time(),
                "end": ends.time(),
                "room": session.room_id,
                "place": session.place,
            }
        super().__init__(*args, **kwargs)
        rooms = Resource.objects.in_service()
        if session is not None and session.room_id:
            rooms = rooms | Resource.objects.filter(pk=session.room_id)
        self.fields["room"].queryset = rooms.order_by("kind", "name_th")

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            cleaned["starts_at"], cleaned["ends_at"] = _combine(day, start), _combine(day, end)
            if end <= start:
                self.add_error("end", _("The session must end after it starts."))
        room, place = cleaned.get("room"), (cleaned.get("place") or "").strip()
        if room and place:
            self.add_error(
                "place", _("Choose a room of the centre or a place elsewhere, not both.")
            )
        elif not room and not place and "room" not in self.errors:
            self.add_error("place", _("Choose a room of the centre or write where it takes place."))
        cleaned["place"] = place
        return cleaned
