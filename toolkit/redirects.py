"""Where a form sends the person back to: the `next` it came with, if that is safe."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_path(request, default):
    """The form's `next` when it is a path on this site, else `default` (a URL).

    Only a path starting with "/": given to `redirect`, a bare word is taken for a URL name
    (`next=x` raised NoReverseMatch, a 500, after the form's work was done; `next=
    accounts:profile` went to that page).
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
