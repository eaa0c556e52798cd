"""The public verification of certificate codes (under /verify/, no sign-in)."""

from django.urls import path

from . import views_verify as views

urlpatterns = [
    path("", views.certificate_verify_form, name="certificate_verify_form"),
    path("<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("<str:code>.json", views.certificate_verify_json, name="certificate_verify_json"),
]
