"""The lab's pages, by area; each area keeps its own URL module."""

from django.urls import include, path

app_name = "training"

urlpatterns = [
    path("", include("training.urls_calendar")),
    path("", include("training.urls_bookings")),
    path("staff/", include("training.urls_staff")),
    path("staff/", include("training.urls_ops")),
    path("", include("training.urls_feeds")),
]
