"""The lab's and the courses' pages, by area; each area keeps its own URL module."""

from django.urls import include, path

app_name = "training"

urlpatterns = [
    path("lab/", include("training.urls_calendar")),
    path("lab/", include("training.urls_bookings")),
    path("lab/staff/", include("training.urls_staff")),
    path("lab/staff/", include("training.urls_ops")),
    path("lab/", include("training.urls_feeds")),
    path("courses/", include("training.urls_courses")),
    path("courses/", include("training.urls_enrolment")),
    path("courses/", include("training.urls_attendance")),
    path("courses/", include("training.urls_certificates")),
    path("verify/", include("training.urls_verify")),
]
