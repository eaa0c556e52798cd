"""Centre staff's pages of resources, clearance kinds, blackouts, maintenance and usage."""

from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="staff_resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/maintenance/", views.maintenance_list, name="maintenance_list"),
    path(
        "resources/<int:pk>/maintenance/new/", views.maintenance_create, name="maintenance_create"
    ),
    path("clearance-kinds/", views.clearance_kind_list, name="clearance_kind_list"),
    path("clearance-kinds/new/", views.clearance_kind_create, name="clearance_kind_create"),
    path("clearance-kinds/<int:pk>/edit/", views.clearance_kind_edit, name="clearance_kind_edit"),
    path("blackouts/", views.blackout_list, name="blackout_list"),
    path("blackouts/new/", views.blackout_create, name="blackout_create"),
    path("blackouts/<int:pk>/delete/", views.blackout_delete, name="blackout_delete"),
    path("bookings/<int:pk>/usage/", views.usage_record, name="usage_record"),
]
