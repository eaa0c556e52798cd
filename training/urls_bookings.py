"""The lab's pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("resources/<int:pk>/book/", pending, name="book"),
    path("bookings/", pending, name="my_bookings"),
    path("bookings/<int:pk>/", pending, name="booking_detail"),
    path("bookings/<int:pk>/cancel/", pending, name="booking_cancel"),
    path("bookings/<int:pk>/confirm/", pending, name="hold_confirm"),
    path("resources/<int:pk>/watch/", pending, name="watch"),
    path("watches/<int:pk>/withdraw/", pending, name="watch_withdraw"),
]
