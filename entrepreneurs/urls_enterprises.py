from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.my_enterprises, name="my_enterprises"),
    path("register/", views.enterprise_create, name="enterprise_create"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", views.enterprise_update, name="enterprise_update"),
    path("<int:pk>/status/", views.enterprise_status, name="enterprise_status"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("places/districts/", views.districts, name="districts"),
    path("places/subdistricts/", views.subdistricts, name="subdistricts"),
    path("places/postal-codes/", views.postal_codes, name="postal_codes"),
    path("data-credits/", views.data_credits, name="data_credits"),
]
