from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = dict(settings.LANGUAGES)


class LanguageMiddleware:
    """Pick the page's language: the person's profile, else the switcher's cookie, else Thai.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the
    portal is Thai first, and many phones and shared office computers in Lampang are set
    to English. The switcher updates the profile, so a signed-in person's choice follows
    them to any browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

    @staticmethod
    def choose(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in SUPPORTED:
            return cookie
        return settings.LANGUAGE_CODE


class RefuseNulCharactersMiddleware:
    """Refuse a request whose query string or form fields hold a NUL character, with a 400.

    No text a person types contains one, and PostgreSQL cannot take one in a query: a NUL
    in ?province= or a posted place code would otherwise reach a filter and fail with a
    500. Uploaded files are not looked at (they are in request.FILES, not request.POST).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = [request.GET]
        if request.method == "POST":
            fields.append(request.POST)
        for data in fields:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("NUL character in the request")
        return self.get_response(request)
