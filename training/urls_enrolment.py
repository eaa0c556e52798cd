"""Enrolment: enrol in a run, cancel, my courses; a run's roster and enrolling many at once."""

from django.urls import path

from . import views_enrolment as views

urlpatterns = [
    path("runs/<int:pk>/enrol/", views.run_enrol, name="run_enrol"),
    path("enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("manage/runs/<int:pk>/enrol-many/", views.run_enrol_many, name="run_enrol_many"),
    path("manage/runs/<int:pk>/roster/", views.run_roster, name="run_roster"),
    path("mine/", views.my_courses, name="my_courses"),
]
