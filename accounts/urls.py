from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("me/profile/", views.profile, name="profile"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("staff/invitations/", views.invitation_list, name="invitation_list"),
    path("staff/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
