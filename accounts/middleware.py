from django.conf import settings
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
