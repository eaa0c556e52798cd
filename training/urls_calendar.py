"""The lab's pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("", pending, name="lab_home"),
    path("resources/<int:pk>/", pending, name="resource_detail"),
    path("resources/<int:pk>/week/", pending, name="resource_week"),
    path("kilns/", pending, name="kilns"),
    path("calendar.json", pending, name="calendar_json"),
]
