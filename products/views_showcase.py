"""The public showcase: published products of active enterprises, with no personal data.

Of an enterprise the templates show only its names, kind, district and province: never
its address, phone, LINE ID, tax ID, members or who registered it.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from entrepreneurs.models import REGISTRY_DATA, District
from toolkit.pagination import COUNT_SECONDS, CachedPagesPaginator, derived_cache, generation
from toolkit.public_pages import cache_public_page
from toolkit.thaisort import thai_order
from toolkit.widgets import QuickSelect

from .models import Category, Product

PAGE_SIZE = 24


def category_choices():
    """Groups as option groups; choosing a group shows all of its types."""
    categories = list(Category.objects.order_by("position", thai_order("name_th")))
    choices = []
    for group in (c for c in categories if c.parent_id is None):
        options = [(group.code, _("All: %(group)s") % {"group": group.name})]
        options += [(c.code, c.name) for c in categories if c.parent_id == group.pk]
        choices.append((group.name, options))
    return choices


def district_choices():
    """Districts that have something to show, so no choice leads to an empty page.

    Cached per language until the showcase's data changes (toolkit.pagination): at national
    volume they are 928, and reading and labelling them cost more than the page's cards.
    """
    language = translation.get_language()
    key = f"showcase:districts:{language}:{generation(REGISTRY_DATA)}"
    choices = derived_cache().get(key)
    if choices is None:
        districts = (
            District.objects.filter(
                code__in=Product.objects.on_showcase().values("enterprise__district")
            )
            .select_related("province")
            .by_name()
        )
        choices = [(d.code, f"{d.name} ({d.province.name})") for d in districts]
        derived_cache().set(key, choices, COUNT_SECONDS)
    return choices


class ShowcaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": _("Product name")}
        ),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        method="filter_category",
        empty_label=_("All categories"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    district = django_filters.ChoiceFilter(
        label=_("District"),
        field_name="enterprise__district",
        choices=(),
        empty_label=_("All districts"),
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    upgraded = django_filters.BooleanFilter(
        label=_("Upgraded products only"),
        method="filter_upgraded",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = Product
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].extra["choices"] = category_choices()
        # Read once: a callable would be called again to validate and to render.
        self.filters["district"].extra["choices"] = district_choices()

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_upgraded(self, queryset, name, value):
        return queryset.upgraded() if value else queryset


# From this many rows on, a page's ids are read once and cached (toolkit.pagination).
DEEP_ROWS = 1000


@cache_public_page(REGISTRY_DATA)
def index(request):
    showcase_filter = ShowcaseFilter(request.GET or None, queryset=Product.objects.showcase_cards())
    # The count, and a deep page's ids, are cached until a service changes what the showcase
    # shows (toolkit.pagination): page 500 stepped over 12,000 rows on every request.
    paginator = CachedPagesPaginator(
        showcase_filter.qs, PAGE_SIZE, depends_on=REGISTRY_DATA, deep_rows=DEEP_ROWS
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "showcase/index.html", {"filter": showcase_filter, "page": page})


@cache_public_page(REGISTRY_DATA)
def product_detail(request, pk):
    product = get_object_or_404(
        Product.objects.on_showcase()
        .select_related("category__parent", "enterprise__district__province")
        .with_upgrade_areas(),
        pk=pk,
    )
    context = {
        "product": product,
        "enterprise": product.enterprise,
        "images": product.images.all(),
        "certifications": product.certifications.select_related("standard"),
        "materials": product.materials.all(),
        "upgrades": product.upgrades.for_timeline(),
    }
    return render(request, "showcase/product_detail.html", context)
