"""The lab's pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("resources/", pending, name="resource_list"),
    path("resources/new/", pending, name="resource_create"),
    path("resources/<int:pk>/edit/", pending, name="resource_edit"),
    path("blackouts/", pending, name="blackout_list"),
    path("blackouts/new/", pending, name="blackout_create"),
    path("resources/<int:pk>/maintenance/new/", pending, name="maintenance_create"),
    path("bookings/<int:pk>/usage/", pending, name="usage_record"),
]
