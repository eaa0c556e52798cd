"""Officers' bulk import of products: the same pages as the enterprise import."""

from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from toolkit.decorators import role_required
from toolkit.import_flow import ImportFlow

from .importing import ProductImporter

product_import = ImportFlow(ProductImporter, "products")


@role_required(Role.OFFICER)
def import_upload(request):
    return product_import.upload(request)


@role_required(Role.OFFICER)
def import_preview(request):
    return product_import.preview(request)


@role_required(Role.OFFICER)
@require_POST
def import_confirm(request):
    return product_import.confirm(request)


@role_required(Role.OFFICER)
@require_http_methods(["GET", "POST"])
def import_cancel(request):
    return product_import.cancel(request)


@role_required(Role.OFFICER)
def import_template(request):
    return product_import.template(request)
