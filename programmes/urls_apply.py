from django.urls import path

from . import views_apply

urlpatterns = [
    path("intakes/<int:pk>/apply/", views_apply.intake_apply, name="intake_apply"),
    path("applications/", views_apply.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views_apply.enrolment_detail, name="enrolment_detail"),
    path("applications/<int:pk>/submit/", views_apply.enrolment_submit, name="enrolment_submit"),
    path(
        "applications/<int:pk>/withdraw/",
        views_apply.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
]
