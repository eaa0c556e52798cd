from django.urls import include, path

app_name = "entrepreneurs"
urlpatterns = [
    path("", include("entrepreneurs.urls_enterprises")),
    path("", include("entrepreneurs.urls_lists")),
    path("import/", include("entrepreneurs.urls_import")),
]
