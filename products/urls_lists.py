from django.urls import path

from . import views_lists

urlpatterns = [
    path("all/", views_lists.product_list, name="product_list"),
]
