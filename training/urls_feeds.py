"""Calendar feeds: one's own secret feed, the staff feed of a resource, and their resets."""

from django.urls import path

from . import views_feeds

urlpatterns = [
    path("feed/", views_feeds.my_feed, name="my_feed"),
    path("feed/reset/", views_feeds.my_feed_reset, name="my_feed_reset"),
    path("feed/<str:token>.ics", views_feeds.personal_feed, name="personal_feed"),
    path(
        "resources/<int:pk>/feed/<str:token>.ics",
        views_feeds.resource_feed,
        name="resource_feed",
    ),
    path(
        "staff/resources/<int:pk>/feed/reset/",
        views_feeds.resource_feed_reset,
        name="resource_feed_reset",
    ),
]
