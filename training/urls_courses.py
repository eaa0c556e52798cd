"""Course pages of this area (placeholders until built)."""

from django.urls import path

from .views_pending import pending

urlpatterns = [
    path("", pending, name="course_list"),
    path("<int:pk>/", pending, name="course_detail"),
    path("runs/<int:pk>/", pending, name="run_detail"),
    path("manage/", pending, name="course_manage_list"),
    path("manage/new/", pending, name="course_create"),
    path("manage/<int:pk>/edit/", pending, name="course_edit"),
    path("manage/<int:pk>/runs/new/", pending, name="run_create"),
    path("manage/runs/<int:pk>/edit/", pending, name="run_edit"),
    path("manage/runs/<int:pk>/sessions/new/", pending, name="session_create"),
    path("manage/sessions/<int:pk>/edit/", pending, name="session_edit"),
    path("manage/sessions/<int:pk>/delete/", pending, name="session_delete"),
]
