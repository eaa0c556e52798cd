"""Ask before a tap destroys something: one confirmation page for every such action.

A destructive button is a link to its action's URL. A GET there shows what will be lost,
with a form that posts back with the confirmation field; only that POST acts. A POST
without the field (an old page's one-tap form, a stray replay) shows the same question
instead of acting, so nothing is destroyed by a single tap, and no JavaScript is needed.
"""

from django.shortcuts import render

FIELD = "confirmed"
VALUE = "yes"


def is_confirmed(request):
    """True only for a POST that carries the confirmation page's answer."""
    return request.method == "POST" and request.POST.get(FIELD) == VALUE


def ask_to_confirm(
    request,
    *,
    question,
    confirm_label,
    cancel_url,
    details=(),
    image_url=None,
    image_alt="",
    extra_fields=None,
):
    """The page that asks `question`, explains `details` and posts back to this URL."""
    context = {
        "question": question,
        "details": [details] if isinstance(details, str) else list(details),
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "image_url": image_url,
        "image_alt": image_alt,
        "extra_fields": sorted((extra_fields or {}).items()),
        "confirm_field": FIELD,
        "confirm_value": VALUE,
    }
    return render(request, "confirm.html", context)
