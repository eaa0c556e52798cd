from django.urls import include, path

app_name = "programmes"
urlpatterns = [
    path("", include("programmes.urls_public")),
    path("", include("programmes.urls_manage")),
    path("", include("programmes.urls_apply")),
    path("review/", include("programmes.urls_review")),
]
