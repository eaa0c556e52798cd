from django.urls import path

from . import views_jobs

app_name = "reports"

urlpatterns = [
    path("", views_jobs.job_list, name="job_list"),
    path("new/", views_jobs.job_create, name="job_create"),
    path("<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("<int:pk>/progress/", views_jobs.job_progress, name="job_progress"),
    path("<int:pk>/download/", views_jobs.job_download, name="job_download"),
    path("<int:pk>/again/", views_jobs.job_again, name="job_again"),
]
