"""Certificate PDFs, built by the worker after a run closes, and the holders told once.

Closing a run (services.courses.close_run) issues the Certificate rows in its transaction
and queues tasks.build_certificates on commit. Building is idempotent: a PDF already
stored is never built again, so a retried task builds only what is still missing, and a
holder already told that theirs is ready is not told twice.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify

from .. import certificates as printing
from ..models import Certificate

READY_KIND = "certificate_ready"


def missing_pdfs(run_id):
    return (
        Certificate.objects.filter(enrolment__run_id=run_id, pdf="")
        .select_related("holder")
        .order_by("pk")
    )


def build_pdf(certificate_id):
    """Print one certificate and store it, unless another worker stored it first."""
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    if certificate.pdf:
        return False
    # The slow part runs outside any transaction; the row is locked only to store the name.
    data = printing.render_pdf(certificate)
    stored = certificate.pdf.storage.save(
        certificate.pdf.field.generate_filename(certificate, f"{certificate.code}.pdf"),
        ContentFile(data),
    )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        if locked.pdf:
            certificate.pdf.storage.delete(stored)
            return False
        Certificate.objects.filter(pk=certificate_id).update(pdf=stored)
    return True


def build_pdfs(run_id):
    """Build every missing PDF of the run's certificates, then tell each holder once."""
    built = 0
    for certificate_id in missing_pdfs(run_id).values_list("pk", flat=True):
        built += build_pdf(certificate_id)
    notify_holders(run_id)
    return built


def notify_holders(run_id):
    """Tell each holder whose PDF is ready, once: an earlier notification is not repeated."""
    ready = (
        Certificate.objects.filter(enrolment__run_id=run_id, revoked_at__isnull=True)
        .exclude(pdf="")
        .select_related("holder")
        .order_by("pk")
    )
    ready = list(ready)
    told = set(
        Notification.objects.filter(
            kind=READY_KIND,
            content_type=ContentType.objects.get_for_model(Certificate),
            object_id__in=[str(c.pk) for c in ready],
        ).values_list("object_id", flat=True)
    )
    count = 0
    for certificate in ready:
        if str(certificate.pk) in told:
            continue
        with transaction.atomic():
            notify(
                certificate.holder,
                READY_KIND,
                certificate,
                url=reverse("training:my_certificates"),
                context={"pdf_url": reverse("training:certificate_pdf", args=[certificate.pk])},
            )
        count += 1
    return count
