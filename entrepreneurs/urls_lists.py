from django.urls import path

from . import views_lists

urlpatterns = [
    path("all/", views_lists.enterprise_list, name="enterprise_list"),
]
