"""Course pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("teaching/sessions/<int:pk>/", pending, name="attendance_sheet"),
    path("teaching/sessions/<int:pk>/mark/<int:enrolment_pk>/", pending, name="attendance_mark"),
    path("enrolments/<int:pk>/attendance/", pending, name="my_attendance"),
    path("teaching/", pending, name="teaching"),
]
