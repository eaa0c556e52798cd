"""Filters of the officers' lists: search, province → district, a whitelisted sort.

ListFilterSet is shared with the product list (products/filters.py).
"""

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from toolkit.thaidates import fiscal_year_bounds
from toolkit.thaisort import thai_order

from .models import District, EnterpriseKind, Province, VerificationStatus

# The id of the element that wraps the district field; htmx swaps it on a province change.
DISTRICT_FIELD_ID = "district-field"


class SortFilter(django_filters.ChoiceFilter):
    """A sort chosen from a whitelist: each key maps to order_by() fields.

    The last field of every order is the primary key, so rows that tie never swap
    between two pages. The ordering itself is applied by ListFilterSet, after all
    filters, and falls back to the default for a missing or unknown key.
    """

    def __init__(self, *, orders, default, **kwargs):
        self.orders = {key: fields for key, (_label, fields) in orders.items()}
        self.default = default
        choices = [(key, label) for key, (label, _fields) in orders.items()]
        kwargs.setdefault("label", _("Sort by"))
        super().__init__(choices=choices, empty_label=None, **kwargs)

    def filter(self, qs, value):
        return qs

    def order(self, qs, value):
        return qs.order_by(*self.orders.get(value or self.default, self.orders[self.default]))


class ListFilterSet(django_filters.FilterSet):
    """Search box, province and district, and a sort, for a list of `model` rows.

    Subclasses declare `province`, `district` (ModelChoiceFilters) and `sort` (a
    SortFilter). District choices are the chosen province's; a district alone implies
    its province (district codes start with the province code) and a district outside
    the chosen province is dropped rather than reported as an error.
    """

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    def __init__(self, data=None, *args, **kwargs):
        province = ""
        if data is not None:
            data = data.copy()
            province = data.get("province", "")
            district = data.get("district", "")
            if district and not province:
                province = district[:2]
                data["province"] = province
            elif district and not district.startswith(province):
                del data["district"]
        super().__init__(data, *args, **kwargs)
        if province:
            self.filters["district"].queryset = District.objects.filter(
                province_id=province
            ).by_name()
            self.filters["district"].extra.pop("help_text", None)
        if self.request is not None:
            # On a province change htmx asks this page for the district field alone.
            self.filters["province"].extra["widget"] = forms.Select(
                attrs={
                    "hx-get": self.request.path,
                    "hx-target": f"#{DISTRICT_FIELD_ID}",
                    "hx-swap": "outerHTML",
                }
            )

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return self.filters["sort"].order(queryset, self.form.cleaned_data.get("sort"))


class FiscalYearFilter(django_filters.NumberFilter):
    """Rows whose `field_name` (a datetime) falls in a Thai fiscal year, typed in B.E."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 2500)
        kwargs.setdefault("max_value", 2700)
        kwargs.setdefault("help_text", _("For example 2570: 1 October 2569 to 30 September 2570."))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        start, end = fiscal_year_bounds(int(value))
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


def provinces(request):
    return Province.objects.by_name()


def district_filter(**kwargs):
    """The district filter; ListFilterSet narrows its choices to the chosen province."""
    return django_filters.ModelChoiceFilter(
        queryset=District.objects.none(),
        label=_("District"),
        empty_label=_("All districts"),
        help_text=_("Choose a province first."),
        **kwargs,
    )


def has_upgrades_choices():
    return [("yes", _("With upgrade records")), ("no", _("Without upgrade records"))]


class EnterpriseFilter(ListFilterSet):
    province = django_filters.ModelChoiceFilter(
        queryset=provinces, label=_("Province"), empty_label=_("All provinces")
    )
    district = district_filter()
    kind = django_filters.ChoiceFilter(
        choices=EnterpriseKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        choices=VerificationStatus.choices,
        label=_("Verification"),
        empty_label=_("Any verification"),
    )
    upgrades = django_filters.ChoiceFilter(
        choices=has_upgrades_choices,
        label=_("Upgrades"),
        empty_label=_("With or without"),
        method="filter_upgrades",
    )
    registered = FiscalYearFilter(
        field_name="created_at", label=_("Registered in fiscal year (B.E.)")
    )
    sort = SortFilter(
        default="name",
        orders={
            "name": (_("Name, A to Z"), [thai_order("name_th"), "pk"]),
            "-name": (_("Name, Z to A"), [thai_order("-name_th"), "-pk"]),
            "-created": (_("Newest first"), ["-created_at", "-pk"]),
            "created": (_("Oldest first"), ["created_at", "pk"]),
            "district": (
                _("District, A to Z"),
                [
                    thai_order("district__name_th"),
                    thai_order("name_th"),
                    "pk",
                ],
            ),
            "-district": (
                _("District, Z to A"),
                [
                    thai_order("-district__name_th"),
                    thai_order("-name_th"),
                    "-pk",
                ],
            ),
        },
    )

    def filter_upgrades(self, queryset, name, value):
        # Upgrade records belong to products, an app that depends on this one.
        upgrades = apps.get_model("products", "UpgradeRecord").objects.filter(
            product__enterprise=OuterRef("pk")
        )
        return queryset.filter(Exists(upgrades) if value == "yes" else ~Exists(upgrades))
