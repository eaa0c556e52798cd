"""The lab's calendar pages."""

urlpatterns = []
