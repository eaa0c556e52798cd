"""The lab's calendars: the resources one may book, a calendar per resource and of all
kilns, the list of a week, and the JSON the calendars read."""

from django.urls import path

from . import views_calendar as views

urlpatterns = [
    path("", views.lab_home, name="lab_home"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/week/", views.resource_week, name="resource_week"),
    path("kilns/", views.kilns, name="kilns"),
    path("calendar.json", views.calendar_json, name="calendar_json"),
]
