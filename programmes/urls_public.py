from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("intakes/<int:pk>/", views.intake_detail, name="intake_detail"),
]
