from django.urls import path

from . import views_dashboard, views_review

urlpatterns = [
    path("", views_review.review_queue, name="review_queue"),
    path("<int:pk>/panel/", views_review.review_panel, name="review_panel"),
    path("<int:pk>/decide/", views_review.review_decide, name="review_decide"),
    path("bulk/preview/", views_review.review_bulk_preview, name="review_bulk_preview"),
    path("bulk/decide/", views_review.review_bulk_decide, name="review_bulk_decide"),
    path("dashboard/<int:programme_pk>/", views_dashboard.dashboard, name="dashboard"),
]
