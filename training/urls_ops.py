"""The centre staff's daily work in the lab, under /lab/staff/."""

from django.urls import path

from . import views_ops

urlpatterns = [
    path("approvals/", views_ops.approvals, name="approvals"),
    path("today/", views_ops.today, name="today"),
    path("bookings/", views_ops.booking_list, name="staff_booking_list"),
    path("bookings/<int:pk>/decide/", views_ops.booking_decide, name="booking_decide"),
    path("bookings/<int:pk>/check-in/", views_ops.booking_check_in, name="booking_check_in"),
    path("bookings/<int:pk>/complete/", views_ops.booking_complete, name="booking_complete"),
    path(
        "bookings/<int:pk>/staff-cancel/",
        views_ops.booking_staff_cancel,
        name="booking_staff_cancel",
    ),
    path("no-shows/", views_ops.no_shows, name="no_shows"),
    path("suspensions/", views_ops.suspension_list, name="suspension_list"),
    path("suspensions/<int:pk>/lift/", views_ops.suspension_lift, name="suspension_lift"),
    path("clearances/", views_ops.clearance_list, name="clearance_list"),
    path("clearances/grant/", views_ops.clearance_grant, name="clearance_grant"),
    path("clearances/<int:pk>/revoke/", views_ops.clearance_revoke, name="clearance_revoke"),
]
