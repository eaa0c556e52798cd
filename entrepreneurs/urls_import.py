from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.import_upload, name="import_upload"),
    path("preview/", views_import.import_preview, name="import_preview"),
    path("confirm/", views_import.import_confirm, name="import_confirm"),
    path("cancel/", views_import.import_cancel, name="import_cancel"),
    path("template/", views_import.import_template, name="import_template"),
]
