"""The officers' list of enterprises: search, filters, sort and pages at national volume."""

from django.apps import apps
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render

from accounts.models import Role
from toolkit.decorators import role_required
from toolkit.pagination import CachedPagesPaginator

from .filters import DISTRICT_FIELD_ID, EnterpriseFilter
from .models import REGISTRY_DATA, Enterprise

PAGE_SIZE = 25


def list_page(request, filterset, template):
    """Render a list page, or only its district field when htmx asks after a province change."""
    if request.htmx and request.htmx.target == DISTRICT_FIELD_ID:
        return render(request, "includes/district_filter.html", {"filter": filterset})
    # get_page() shows the last page for a number past the end and the first for junk.
    # Ids first: a deep page steps over ids, not over rows with their joins and counts. The
    # count and each page's ids are cached until the registry changes (the page says when
    # it counted): a filter or search matching much of the country costs more to count
    # and order than the page shows, and grew with the country's data (bench/README.md).
    paginator = CachedPagesPaginator(filterset.qs, PAGE_SIZE, depends_on=REGISTRY_DATA, deep_rows=0)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, template, {"filter": filterset, "page_obj": page})


def product_count():
    """Each enterprise's number of products, as a subquery rather than a join and GROUP BY.

    The paginator's COUNT(*) and its query of the page's ids leave it out, so PostgreSQL
    runs it for the page's rows only. (Products live in an app that depends on this one:
    reached by name.)
    """
    products = (
        apps.get_model("products", "Product")
        .objects.filter(enterprise=OuterRef("pk"))
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(products), 0)


@role_required(Role.OFFICER)
def enterprise_list(request):
    enterprises = (
        Enterprise.objects.visible_to(request.user)
        .select_related("province", "district")
        .annotate(product_count=product_count())
    )
    filterset = EnterpriseFilter(request.GET, queryset=enterprises, request=request)
    return list_page(request, filterset, "entrepreneurs/enterprise_list.html")
