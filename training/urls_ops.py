"""The lab's pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("approvals/", pending, name="approvals"),
    path("today/", pending, name="today"),
    path("bookings/<int:pk>/decide/", pending, name="booking_decide"),
    path("bookings/<int:pk>/check-in/", pending, name="booking_check_in"),
    path("bookings/<int:pk>/complete/", pending, name="booking_complete"),
    path("no-shows/", pending, name="no_shows"),
    path("suspensions/", pending, name="suspension_list"),
    path("suspensions/<int:pk>/lift/", pending, name="suspension_lift"),
    path("clearances/", pending, name="clearance_list"),
    path("clearances/grant/", pending, name="clearance_grant"),
    path("clearances/<int:pk>/revoke/", pending, name="clearance_revoke"),
]
