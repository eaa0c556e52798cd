"""The lab's staff pages."""

urlpatterns = []
