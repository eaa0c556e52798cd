from django.urls import path

from . import views_upgrades as views

urlpatterns = [
    path("<int:product_pk>/upgrades/new/", views.upgrade_create, name="upgrade_create"),
    path("upgrades/<int:pk>/edit/", views.upgrade_update, name="upgrade_update"),
    path("upgrades/<int:pk>/delete/", views.upgrade_delete, name="upgrade_delete"),
    path("upgrades/<int:pk>/set-price/", views.upgrade_set_price, name="upgrade_set_price"),
    path("<int:product_pk>/materials/", views.product_materials, name="product_materials"),
    path("materials/", views.material_list, name="material_list"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/edit/", views.material_update, name="material_update"),
    path("materials/<int:pk>/tests/new/", views.material_test_add, name="material_test_add"),
]
