"""Closing a run, certificates and their PDFs, the officers' register (under /courses/)."""

from django.urls import path

from . import views_certificates as views

urlpatterns = [
    path("manage/runs/<int:pk>/close/", views.run_close, name="run_close"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/mine/", views.my_certificates, name="my_certificates"),
    path("manage/certificates/", views.certificate_list, name="certificate_list"),
    path(
        "manage/certificates/<int:pk>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
]
