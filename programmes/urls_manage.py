from django.urls import path

from . import views_manage as views

urlpatterns = [
    path("manage/", views.programme_manage_list, name="programme_manage_list"),
    path("manage/new/", views.programme_create, name="programme_create"),
    path("manage/<int:pk>/", views.programme_manage, name="programme_manage"),
    path("manage/<int:pk>/edit/", views.programme_update, name="programme_update"),
    path("manage/<int:pk>/status/", views.programme_status, name="programme_status"),
    path(
        "manage/<int:pk>/partners/add/",
        views.programme_partner_add,
        name="programme_partner_add",
    ),
    path(
        "manage/<int:pk>/partners/<int:partnership_pk>/remove/",
        views.programme_partner_remove,
        name="programme_partner_remove",
    ),
    path("manage/<int:pk>/intakes/new/", views.intake_create, name="intake_create"),
    path("manage/intakes/<int:pk>/edit/", views.intake_update, name="intake_update"),
    path("manage/partners/", views.partner_list, name="partner_list"),
    path("manage/partners/new/", views.partner_create, name="partner_create"),
    path("manage/partners/<int:pk>/edit/", views.partner_update, name="partner_update"),
]
