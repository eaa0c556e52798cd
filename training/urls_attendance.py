"""Attendance: an instructor's sheet of a session, a person's own attendance, teaching."""

from django.urls import path

from . import views_attendance as views

urlpatterns = [
    path("teaching/sessions/<int:pk>/", views.attendance_sheet, name="attendance_sheet"),
    path(
        "teaching/sessions/<int:pk>/mark/<int:enrolment_pk>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path("enrolments/<int:pk>/attendance/", views.my_attendance, name="my_attendance"),
    path("teaching/", views.teaching, name="teaching"),
]
