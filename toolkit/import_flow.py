"""The pages of a bulk import: upload, preview, confirm or cancel; and the template file.

The upload is kept in private storage between preview and confirm, named by a random id
held in the session, and checked again on confirm because the database may have changed.
An app makes one `ImportFlow` per importer and wraps its methods in views that check who
may import (entrepreneurs/views_import.py).
"""

import re
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .confirm import ask_to_confirm, is_confirmed
from .importing import UploadForm, import_rows
from .spreadsheets import CONTENT_TYPES, FORMATS

STORED_NAME = re.compile(r"imports/[0-9a-f]{32}\.(csv|xlsx)")


class ImportFlow:
    """The pages of one kind of import; the URL names are `<namespace>:import_<page>`."""

    def __init__(self, importer_class, namespace):
        self.importer_class = importer_class
        self.namespace = namespace

    @property
    def session_key(self):
        return f"import:{self.importer_class.key}"

    def url(self, page):
        return reverse(f"{self.namespace}:import_{page}")

    def upload(self, request):
        importer = self.importer_class()
        posted = request.method == "POST"
        form = UploadForm(
            request.POST if posted else None, request.FILES if posted else None, importer=importer
        )
        if posted and form.is_valid():
            self.discard(request)
            name = storages["private"].save(
                f"imports/{uuid.uuid4().hex}.{form.format}", ContentFile(form.content)
            )
            request.session[self.session_key] = {"file": name, "name": form.file_name}
            return redirect(self.url("preview"))
        return render(
            request,
            "imports/upload.html",
            {"form": form, "importer": importer, "urls": self.urls()},
        )

    def preview(self, request):
        stored = self.stored(request)
        content = self.read(request, stored)
        if content is None:
            return redirect(self.url("upload"))
        importer = self.importer_class()
        fmt = stored["file"].rsplit(".", 1)[1]
        try:
            preview = importer.check(importer.read(content, fmt))
        except ValidationError as error:
            self.discard(request)
            messages.error(request, " ".join(error.messages))
            return redirect(self.url("upload"))
        context = {
            "importer": importer,
            "preview": preview,
            "file_name": stored["name"],
            "sample": preview.good[:10],
            "urls": self.urls(),
        }
        return render(request, "imports/preview.html", context)

    def confirm(self, request):
        stored = self.stored(request)
        content = self.read(request, stored)
        if content is None:
            return redirect(self.url("upload"))
        importer = self.importer_class()
        try:
            result = import_rows(
                importer=importer,
                content=content,
                fmt=stored["file"].rsplit(".", 1)[1],
                file_name=stored["name"],
                by=request.user,
            )
        except IntegrityError:
            # Someone registered the same code or tax ID between our check and the insert.
            messages.error(
                request,
                _("Some rows were registered by someone else meanwhile. Check them again."),
            )
            return redirect(self.url("preview"))
        self.discard(request)
        level = messages.SUCCESS if result.imported else messages.WARNING
        messages.add_message(request, level, importer.result_message(result))
        return redirect(self.url("upload"))

    def cancel(self, request):
        # Cancelling throws away a checked upload, so a tap only asks; the answer discards.
        if not is_confirmed(request):
            stored = self.stored(request)
            if stored is None:
                return redirect(self.url("upload"))
            return ask_to_confirm(
                request,
                question=_("Cancel the import of %(name)s?") % {"name": stored["name"]},
                details=_(
                    "The uploaded file is thrown away and nothing from it is saved. "
                    "To import it later you will have to upload it again."
                ),
                confirm_label=_("Cancel the import"),
                cancel_url=self.url("preview"),
            )
        self.discard(request)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect(self.url("upload"))

    def template(self, request):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in FORMATS:
            raise Http404
        importer = self.importer_class()
        response = HttpResponse(importer.template_file(fmt), content_type=CONTENT_TYPES[fmt])
        filename = f"nakhon-ceramic-{importer.key}-template.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def urls(self):
        pages = ("upload", "preview", "confirm", "cancel", "template")
        return {page: self.url(page) for page in pages}

    def stored(self, request):
        """The session's record of the upload, if it names a file we stored."""
        stored = request.session.get(self.session_key)
        if not isinstance(stored, dict) or not STORED_NAME.fullmatch(stored.get("file", "")):
            return None
        return stored

    def read(self, request, stored):
        if stored is None:
            messages.info(request, _("Upload a file to import first."))
            return None
        try:
            with storages["private"].open(stored["file"], "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            request.session.pop(self.session_key, None)
            messages.info(request, _("The uploaded file is no longer here: upload it again."))
            return None

    def discard(self, request):
        """Forget the upload and delete its stored file."""
        stored = self.stored(request)
        request.session.pop(self.session_key, None)
        if stored:
            storages["private"].delete(stored["file"])
