"""Filters of the product list for officers, faculty and centre staff."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from entrepreneurs.filters import (
    FiscalYearFilter,
    ListFilterSet,
    SortFilter,
    district_filter,
    has_upgrades_choices,
    provinces,
)
from entrepreneurs.models import EnterpriseKind
from toolkit.thaidates import fiscal_year_dates
from toolkit.thaisort import thai_order

from .models import Category, ProductStatus, UpgradeArea, UpgradeRecord


def category_choices():
    """Each group followed by its types; choosing a group takes in all of its types."""
    categories = list(Category.objects.all())
    choices = []
    for group in (c for c in categories if c.parent_id is None):
        choices.append((str(group.pk), group.name))
        choices += [(str(c.pk), f"— {c.name}") for c in categories if c.parent_id == group.pk]
    return choices


def star_choices():
    return [
        (str(n), ngettext("%(stars)d star or more", "%(stars)d stars or more", n) % {"stars": n})
        for n in range(1, 6)
    ]


class ProductFilter(ListFilterSet):
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
    category = django_filters.ChoiceFilter(
        choices=[],  # read once per request in __init__: validating and rendering both use them
        label=_("Category"),
        empty_label=_("All categories"),
        method="filter_category",
    )
    status = django_filters.ChoiceFilter(
        choices=ProductStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    stars = django_filters.ChoiceFilter(
        field_name="otop_stars",
        lookup_expr="gte",
        choices=star_choices,
        label=_("OTOP stars"),
        empty_label=_("Any rating"),
    )
    upgrades = django_filters.ChoiceFilter(
        choices=has_upgrades_choices,
        label=_("Upgrades"),
        empty_label=_("With or without"),
        method="filter_upgrades",
    )
    area = django_filters.ChoiceFilter(
        choices=UpgradeArea.choices,
        label=_("Upgrade area"),
        empty_label=_("Any area"),
        method="filter_upgraded",
    )
    upgrade_year = django_filters.NumberFilter(
        label=_("Upgrade started in fiscal year (B.E.)"),
        min_value=2500,
        max_value=2700,
        method="filter_upgraded",
    )
    registered = FiscalYearFilter(
        field_name="created_at", label=_("Registered in fiscal year (B.E.)")
    )
    sort = SortFilter(
        default="name",
        orders={
            "name": (_("Name, A to Z"), [thai_order("name_th"), "pk"]),
            "-name": (_("Name, Z to A"), [thai_order("-name_th"), "-pk"]),
            # Products with no price or no stars come last either way.
            "price": (_("Price, low to high"), [F("unit_price").asc(nulls_last=True), "pk"]),
            "-price": (_("Price, high to low"), [F("unit_price").desc(nulls_last=True), "-pk"]),
            "-created": (_("Newest first"), ["-created_at", "-pk"]),
            "created": (_("Oldest first"), ["created_at", "pk"]),
            "-stars": (_("Most OTOP stars"), [F("otop_stars").desc(nulls_last=True), "-pk"]),
            "stars": (_("Fewest OTOP stars"), [F("otop_stars").asc(nulls_last=True), "pk"]),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].extra["choices"] = category_choices()

    def filter_category(self, queryset, name, value):
        in_group = Category.objects.filter(Q(pk=value) | Q(parent_id=value)).values("pk")
        return queryset.filter(category__in=in_group)

    def filter_upgrades(self, queryset, name, value):
        upgrades = UpgradeRecord.objects.filter(product=OuterRef("pk"))
        return queryset.filter(Exists(upgrades) if value == "yes" else ~Exists(upgrades))

    def filter_upgraded(self, queryset, name, value):
        """Products with one upgrade record of the chosen area and fiscal year (both, if both
        are given: the same record, as the dashboard counts it)."""
        data = self.form.cleaned_data
        area, year = data.get("area"), data.get("upgrade_year")
        if name == "upgrade_year" and area:
            return queryset  # applied with the area
        records = UpgradeRecord.objects.filter(product=OuterRef("pk"))
        if area:
            records = records.filter(area=area)
        if year:
            start, end = fiscal_year_dates(int(year))
            records = records.filter(started_on__gte=start, started_on__lt=end)
        return queryset.filter(Exists(records))
