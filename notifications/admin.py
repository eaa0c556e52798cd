from django.contrib import admin
from django.contrib.auth import get_user_model

from .models import Notification, OutboundEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """The outbox is a record; services write it, the admin only shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["to", "subject", "created_at", "claimed_at", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "created_at", "read_at", "url"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["recipient"]
    search_fields = [f"recipient__{get_user_model().get_email_field_name()}", "kind"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
