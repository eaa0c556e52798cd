"""The lab's bookings pages."""

urlpatterns = []
