from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from accounts import views as account_views
from reports import views as report_views
from toolkit import media

urlpatterns = [
    path("", report_views.home, name="home"),
    path("language/", account_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("enterprises/", include("entrepreneurs.urls")),
    path("products/", include("products.urls")),
    path("showcase/", include("products.urls_showcase")),
    path("programmes/", include("programmes.urls")),
    path("reports/", include("reports.urls")),
    # The lab under /lab/, courses under /courses/, certificate verification under /verify/.
    path("", include("training.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media.public_media, name="media"
        )
    )

# 503 with Retry-After when SQLite stayed locked past its timeout, else Django's 500 page.
handler500 = "toolkit.errors.server_error"
