"""The lab's feeds pages."""

urlpatterns = []
