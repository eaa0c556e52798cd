"""Course pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("runs/<int:pk>/enrol/", pending, name="run_enrol"),
    path("enrolments/<int:pk>/cancel/", pending, name="enrolment_cancel"),
    path("manage/runs/<int:pk>/enrol-many/", pending, name="run_enrol_many"),
    path("manage/runs/<int:pk>/roster/", pending, name="run_roster"),
    path("mine/", pending, name="my_courses"),
]
