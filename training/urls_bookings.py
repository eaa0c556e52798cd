"""The person's booking pages: book, their bookings, cancel, confirm a hold, watch a slot."""

from django.urls import path

from . import views_bookings as views

urlpatterns = [
    path("resources/<int:pk>/book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/confirm/", views.hold_confirm, name="hold_confirm"),
    path("resources/<int:pk>/watch/", views.watch, name="watch"),
    path("watches/<int:pk>/withdraw/", views.watch_withdraw, name="watch_withdraw"),
]
