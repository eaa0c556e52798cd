"""Course pages: public course and run pages, and the managers' pages."""

from django.urls import path

from . import views_courses as views

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("<int:pk>/", views.course_detail, name="course_detail"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("manage/", views.course_manage_list, name="course_manage_list"),
    path("manage/new/", views.course_create, name="course_create"),
    path("manage/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("manage/<int:pk>/runs/new/", views.run_create, name="run_create"),
    path("manage/runs/<int:pk>/edit/", views.run_edit, name="run_edit"),
    path("manage/runs/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("manage/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("manage/sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
]
