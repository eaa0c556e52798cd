"""The lab in the admin site: to read. Changes go through the staff pages, whose services
check the rules (overlaps, cancellations) and write the audit log."""

from django.contrib import admin

from .models import (
    Blackout,
    Booking,
    Clearance,
    ClearanceKind,
    MaintenanceRecord,
    OpeningHours,
    Resource,
    SlotWatch,
    Suspension,
    UsageLog,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OpeningHoursInline(ReadOnly, admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Resource)
class ResourceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name_th", "kind", "status", "needs_approval", "required_clearance"]
    list_filter = ["kind", "status", "needs_approval"]
    search_fields = ["name_th", "name_en", "location"]
    list_select_related = ["required_clearance"]
    inlines = [OpeningHoursInline]
    exclude = ["feed_token"]


@admin.register(ClearanceKind)
class ClearanceKindAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name_th", "code"]
    search_fields = ["name_th", "name_en", "code"]


@admin.register(Clearance)
class ClearanceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["holder", "kind", "valid_until", "revoked_at"]
    list_filter = ["kind"]
    list_select_related = ["holder", "kind"]
    raw_id_fields = ["holder", "granted_by", "revoked_by"]


@admin.register(Booking)
class BookingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["resource", "owner", "starts_at", "ends_at", "status"]
    list_filter = ["status", "resource"]
    date_hierarchy = "starts_at"
    list_select_related = ["resource", "owner"]
    raw_id_fields = ["owner", "product", "series", "decided_by", "cancelled_by"]


@admin.register(Blackout)
class BlackoutAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["resource", "starts_at", "ends_at", "reason"]
    list_filter = ["reason"]
    list_select_related = ["resource"]
    raw_id_fields = ["created_by"]


@admin.register(UsageLog)
class UsageLogAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["booking", "recorded_at", "cone", "peak_temperature_c"]
    list_select_related = ["booking__resource"]
    raw_id_fields = ["booking", "recorded_by"]
    filter_horizontal = ["products_fired"]


@admin.register(MaintenanceRecord)
class MaintenanceRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["resource", "performed_on", "next_due_on"]
    list_select_related = ["resource"]
    raw_id_fields = ["recorded_by"]


@admin.register(SlotWatch)
class SlotWatchAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["person", "resource", "starts_at", "status"]
    list_filter = ["status"]
    list_select_related = ["person", "resource"]
    raw_id_fields = ["person", "product", "booking"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["person", "starts_at", "ends_at", "lifted_at"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "lifted_by"]
