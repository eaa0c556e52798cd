from django.urls import path

from . import views_catalogue as views

urlpatterns = [
    path("new/<int:enterprise_pk>/", views.product_create, name="product_create"),
    path("<int:pk>/", views.product_detail, name="product_detail"),
    path("<int:pk>/edit/", views.product_update, name="product_update"),
    path("<int:pk>/publish/", views.product_publish, name="product_publish"),
    path("<int:pk>/archive/", views.product_archive, name="product_archive"),
    path("<int:pk>/unpublish/", views.product_unpublish, name="product_unpublish"),
    path("<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("<int:pk>/photos/<int:photo_pk>/delete/", views.photo_delete, name="photo_delete"),
    path("<int:pk>/certifications/new/", views.certification_add, name="certification_add"),
    path(
        "<int:pk>/certifications/<int:certification_pk>/delete/",
        views.certification_delete,
        name="certification_delete",
    ),
    path(
        "<int:pk>/certifications/<int:certification_pk>/document/",
        views.certification_document,
        name="certification_document",
    ),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/new/", views.standard_create, name="standard_create"),
    path("standards/<int:pk>/edit/", views.standard_update, name="standard_update"),
    path("standards/<int:pk>/retire/", views.standard_retire, name="standard_retire"),
]
