"""The public verify page of a certificate code, as HTML and as JSON; no sign-in.

It shows what the certificate itself shows (holder, course, hours, issue date, number)
and, for a revoked one, the date it was revoked; never the reason nor anything else of
the holder. A code that is not ours, however malformed, is simply "unknown".
"""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from .services import courses

VALID, REVOKED, UNKNOWN = "valid", "revoked", "unknown"


def _clean(code):
    """The code as issued: letters upper-cased, spaces and dashes people type dropped."""
    return "".join((code or "").split()).replace("-", "").upper()[:64]


def _status(certificate):
    if certificate is None:
        return UNKNOWN
    return REVOKED if certificate.revoked_at else VALID


def certificate_verify_form(request):
    """A box to type a code; a well-formed one goes to its verify page."""
    code = _clean(request.GET.get("code"))
    if code and code.isalnum() and code.isascii():
        return redirect("training:certificate_verify", code)
    return render(
        request,
        "training/certificates/verify_form.html",
        {"code": request.GET.get("code", "")[:64], "malformed": bool(code)},
        status=404 if code else 200,
    )


def certificate_verify(request, code):
    certificate = courses.verify(_clean(code))
    status = _status(certificate)
    return render(
        request,
        "training/certificates/verify.html",
        {"certificate": certificate, "status": status, "code": code[:64]},
        status=404 if status == UNKNOWN else 200,
    )


def certificate_verify_json(request, code):
    certificate = courses.verify(_clean(code))
    status = _status(certificate)
    if certificate is None:
        return JsonResponse({"status": status}, status=404)
    data = {
        "status": status,
        "number": certificate.number,
        "code": certificate.code,
        "holder": certificate.holder_name,
        "course": {"th": certificate.course_title_th, "en": certificate.course_title_en},
        "hours": str(certificate.hours.normalize()),
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if certificate.revoked_at
            else None
        ),
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
