from django.contrib import admin

from toolkit.admin import CheckedAutocompleteMixin
from toolkit.audit import record_audit

from .models import District, Enterprise, Member, Province, Subdistrict


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reference data from the geothai package: viewed and searched, changed only by migration."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
    list_select_related = ["district"]
    search_fields = ["code", "name_th", "name_en", "postal_codes"]


class MemberInline(CheckedAutocompleteMixin, admin.TabularInline):
    model = Member
    fields = ["full_name", "role", "phone", "user", "added_at", "added_by"]
    readonly_fields = ["added_at", "added_by"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    list_display = ["name_th", "name_en", "kind", "district", "province", "status", "created_at"]
    list_filter = ["status", "kind", "province"]
    list_select_related = ["district", "province"]
    search_fields = ["name_th", "name_en", "registration_code", "phone"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["subdistrict"]
    # The verification state changes only through an officer's audited decision on the
    # portal's page; the place above the subdistrict follows from it.
    readonly_fields = [
        "district",
        "province",
        "tax_id_display",
        "status",
        "status_note",
        "status_changed_at",
        "status_changed_by",
        "created_by",
        "created_at",
    ]
    fields = [
        "kind",
        "name_th",
        "name_en",
        "registration_code",
        "tax_id_display",
        "address_line",
        "subdistrict",
        "district",
        "province",
        "postal_code",
        "phone",
        "line_id",
        "status",
        "status_note",
        "status_changed_at",
        "status_changed_by",
        "created_by",
        "created_at",
    ]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        obj.district = obj.subdistrict.district
        obj.province = obj.district.province
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            action="enterprise.admin_changed" if change else "enterprise.admin_added",
            target=obj,
            changed=form.changed_data,
        )

    def save_formset(self, request, form, formset, change):
        for member in formset.save(commit=False):
            if member.added_by_id is None:
                member.added_by = request.user
            member.save()
        for member in formset.deleted_objects:
            member.delete()
        formset.save_m2m()
        if formset.has_changed():
            record_audit(
                actor=request.user,
                action="enterprise.admin_members_changed",
                target=form.instance,
            )
