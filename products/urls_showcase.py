from django.urls import path

from . import views_showcase as views

app_name = "showcase"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.product_detail, name="product"),
]
