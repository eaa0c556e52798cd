"""Officers' bulk import of enterprises: the pages of toolkit/import_flow.py."""

from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from toolkit.decorators import role_required
from toolkit.import_flow import ImportFlow

from .importing import EnterpriseImporter

enterprise_import = ImportFlow(EnterpriseImporter, "entrepreneurs")


@role_required(Role.OFFICER)
def import_upload(request):
    return enterprise_import.upload(request)


@role_required(Role.OFFICER)
def import_preview(request):
    return enterprise_import.preview(request)


@role_required(Role.OFFICER)
@require_POST
def import_confirm(request):
    return enterprise_import.confirm(request)


@role_required(Role.OFFICER)
@require_http_methods(["GET", "POST"])
def import_cancel(request):
    return enterprise_import.cancel(request)


@role_required(Role.OFFICER)
def import_template(request):
    return enterprise_import.template(request)
