"""The lab's ops pages."""

urlpatterns = []
