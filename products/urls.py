from django.urls import include, path

app_name = "products"
urlpatterns = [
    path("", include("products.urls_catalogue")),
    path("", include("products.urls_upgrades")),
    path("", include("products.urls_lists")),
    path("import/", include("products.urls_import")),
]
