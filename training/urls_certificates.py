"""Course pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("manage/runs/<int:pk>/close/", pending, name="run_close"),
    path("certificates/<int:pk>/pdf/", pending, name="certificate_pdf"),
    path("certificates/mine/", pending, name="my_certificates"),
    path("manage/certificates/", pending, name="certificate_list"),
    path("manage/certificates/<int:pk>/revoke/", pending, name="certificate_revoke"),
]
