"""Course pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("", pending, name="certificate_verify_form"),
    path("<str:code>/", pending, name="certificate_verify"),
    path("<str:code>.json", pending, name="certificate_verify_json"),
]
