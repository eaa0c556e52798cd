"""The product list for officers, faculty and centre staff, at national volume."""

from accounts.models import Role
from entrepreneurs.views_lists import list_page
from toolkit.decorators import role_required

from .filters import ProductFilter
from .models import Product


@role_required(Role.OFFICER, Role.FACULTY, Role.CENTRE_STAFF)
def product_list(request):
    products = (
        Product.objects.visible_to(request.user)
        .select_related("enterprise__district", "enterprise__province", "category")
        .with_cover()
    )
    filterset = ProductFilter(request.GET, queryset=products, request=request)
    return list_page(request, filterset, "products/product_list.html")
