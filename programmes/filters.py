"""Filters of the officers' review queue: intake, state, place and kind of enterprise."""

import django_filters
from django.utils.translation import gettext_lazy as _

from entrepreneurs.filters import ListFilterSet, SortFilter, district_filter, provinces
from entrepreneurs.models import EnterpriseKind
from toolkit.thaisort import thai_order

from .models import TO_REVIEW_STATES, EnrolmentStatus, Intake

TO_REVIEW = "to_review"
ALL_STATES = "all"


def status_choices():
    return [
        (TO_REVIEW, _("To review (submitted or under review)")),
        (ALL_STATES, _("Every state")),
        *EnrolmentStatus.choices,
    ]


def intakes(request):
    return Intake.objects.select_related("programme").order_by("-opens_at", "pk")


class ReviewFilter(ListFilterSet):
    intake = django_filters.ModelChoiceFilter(
        queryset=intakes, label=_("Intake"), empty_label=_("All intakes")
    )
    status = django_filters.ChoiceFilter(
        choices=status_choices, label=_("State"), empty_label=None, method="filter_status"
    )
    province = django_filters.ModelChoiceFilter(
        field_name="enterprise__province",
        queryset=provinces,
        label=_("Province"),
        empty_label=_("All provinces"),
    )
    district = district_filter(field_name="enterprise__district")
    kind = django_filters.ChoiceFilter(
        field_name="enterprise__kind",
        choices=EnterpriseKind.choices,
        label=_("Kind of enterprise"),
        empty_label=_("All kinds"),
    )
    sort = SortFilter(
        default="submitted",
        orders={
            "submitted": (_("Submitted, oldest first"), ["submitted_at", "pk"]),
            "-submitted": (_("Submitted, newest first"), ["-submitted_at", "-pk"]),
            "enterprise": (_("Enterprise, A to Z"), [thai_order("enterprise__name_th"), "pk"]),
            "-enterprise": (_("Enterprise, Z to A"), [thai_order("-enterprise__name_th"), "-pk"]),
        },
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = TO_REVIEW
        super().__init__(data, *args, **kwargs)
        self.filters["intake"].field.label_from_instance = intake_label

    def filter_search(self, queryset, name, value):
        text = value.strip().lower()
        return queryset.filter(enterprise__search_text__contains=text) if text else queryset

    def filter_status(self, queryset, name, value):
        if value == ALL_STATES:
            return queryset
        if value == TO_REVIEW:
            return queryset.filter(status__in=TO_REVIEW_STATES)
        return queryset.filter(status=value)

    def chosen_intake(self):
        """The intake the queue is narrowed to, or None."""
        if self.form.is_valid():
            return self.form.cleaned_data.get("intake")
        return None


def intake_label(intake):
    return f"{intake.programme.title} — {intake.name}"
