"""Closing a run, a holder's certificates and their PDFs, and the officers' register.

Closing asks the run's managers (services.courses.may_manage); the register and revoking
ask `training.revoke_certificates` (an officer with the session's two-factor sign-in).
A PDF is served only to its holder, officers and the run's managers; others get 404.
"""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from products.files import serve_private
from toolkit.confirm import FIELD as CONFIRM_FIELD
from toolkit.confirm import VALUE as CONFIRM_VALUE
from toolkit.confirm import is_confirmed
from toolkit.decorators import permission_required, signed_in_required

from .exceptions import LabError
from .models import Certificate, CourseEnrolment, CourseRun, RunStatus
from .services import courses

PAGE_SIZE = 25
NUMBER = re.compile(r"^(\d{4})-(\d{1,6})$")


class CertificateSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Number, code or holder"), required=False, max_length=100
    )
    year = forms.IntegerField(
        label=gettext_lazy("Fiscal year of issue (B.E.)"),
        required=False,
        min_value=2500,
        max_value=2700,
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[
            ("", gettext_lazy("Valid or revoked")),
            ("valid", gettext_lazy("Valid")),
            ("revoked", gettext_lazy("Revoked")),
        ],
    )


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the holder is told)"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Give the reason for revoking the certificate.")},
    )


def may_see(user, certificate):
    """The holder, officers who may revoke, and the managers of the certificate's run."""
    if certificate.holder_id == user.pk or user.has_perm("training.revoke_certificates"):
        return True
    return courses.may_manage(user, certificate.enrolment.run)


# Officers with the session's two-factor sign-in who may revoke certificates.
officers_only = permission_required("training.revoke_certificates", Role.OFFICER)


@signed_in_required
def run_close(request, pk):
    """Who completes and who does not, then (confirmed) close the run and issue certificates."""
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=pk)
    if not courses.may_manage(request.user, run):
        raise Http404
    if run.status == RunStatus.CLOSED:
        messages.info(request, _("This run is closed already."))
        return redirect(run)
    if is_confirmed(request):
        try:
            completed, _not_completed = courses.close_run(run=run, by=request.user)
        except LabError as refusal:
            messages.error(request, str(refusal.message))
        else:
            messages.success(
                request,
                _(
                    "The run is closed. %(count)s certificates are being prepared; "
                    "each holder is told when theirs is ready."
                )
                % {"count": len(completed)},
            )
            return redirect(run)
    shares = courses.shares_of(run)
    required = Decimal(run.course.attendance_required)
    enrolments = (
        CourseEnrolment.objects.filter(pk__in=list(shares))
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    will, will_not = [], []
    for enrolment in enrolments:
        enrolment.share = shares[enrolment.pk]
        (will if enrolment.share >= required else will_not).append(enrolment)
    return render(
        request,
        "training/certificates/run_close.html",
        {
            "run": run,
            "will": will,
            "will_not": will_not,
            "required": run.course.attendance_required,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
    )


@signed_in_required
def certificate_pdf(request, pk):
    """The certificate's PDF, for its holder, officers and the run's managers only."""
    certificate = get_object_or_404(Certificate.objects.select_related("enrolment__run"), pk=pk)
    if not may_see(request.user, certificate):
        raise Http404
    if not certificate.pdf:
        messages.info(request, _("The certificate is being prepared; try again in a minute."))
        return redirect("training:my_certificates")
    return serve_private(certificate.pdf, name=f"certificate-{certificate.number}")


@signed_in_required
def my_certificates(request):
    certificates = Certificate.objects.filter(holder=request.user).order_by("-issued_at", "-pk")
    return render(
        request, "training/certificates/my_certificates.html", {"certificates": certificates}
    )


@officers_only
def certificate_list(request):
    """Every certificate issued, found by number, code or holder."""
    form = CertificateSearchForm(request.GET or None)
    rows = Certificate.objects.select_related("holder").order_by("-issued_at", "-pk")
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            match = NUMBER.match(q)
            condition = (
                Q(code__iexact=q.replace(" ", ""))
                | Q(holder_name__icontains=q)
                | Q(holder__email__icontains=q)
            )
            if match:
                condition |= Q(fiscal_year=int(match[1]), serial=int(match[2]))
            rows = rows.filter(condition)
        if form.cleaned_data["year"]:
            rows = rows.filter(fiscal_year=form.cleaned_data["year"])
        if form.cleaned_data["state"] == "valid":
            rows = rows.valid()
        elif form.cleaned_data["state"] == "revoked":
            rows = rows.filter(revoked_at__isnull=False)
    elif form.is_bound:
        rows = rows.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/certificates/certificate_list.html",
        {"form": form, "page_obj": page},
    )


@officers_only
def certificate_revoke(request, pk):
    """Ask for the reason, then revoke: the clearances it granted lapse; the holder is told."""
    certificate = get_object_or_404(Certificate.objects.valid().select_related("holder"), pk=pk)
    form = CertificateRevokeForm(request.POST if is_confirmed(request) else None)
    if form.is_bound and form.is_valid():
        try:
            courses.revoke_certificate(
                certificate=certificate,
                by=request.user,
                reason=form.cleaned_data["reason"].strip(),
            )
        except LabError as refusal:
            form.add_error("reason", str(refusal.message))
        else:
            messages.success(request, _("Certificate revoked; the holder has been told."))
            return redirect("training:certificate_list")
    return render(
        request,
        "training/certificates/certificate_revoke.html",
        {
            "certificate": certificate,
            "form": form,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
        status=400 if form.is_bound else 200,
    )
