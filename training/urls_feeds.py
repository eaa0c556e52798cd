"""The lab's pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("feed/", pending, name="my_feed"),
    path("feed/reset/", pending, name="my_feed_reset"),
    path("feed/<str:token>.ics", pending, name="personal_feed"),
    path("resources/<int:pk>/feed/<str:token>.ics", pending, name="resource_feed"),
    path("staff/resources/<int:pk>/feed/reset/", pending, name="resource_feed_reset"),
]
