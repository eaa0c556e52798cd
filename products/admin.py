"""The admin site shows the registry; changes to it go through the portal's services.

Categories are plain reference data with no workflow, so the admin edits them. Products,
certifications, standards and upgrade work are read here and changed in the portal,
where each change is checked and audited.
"""

from django.contrib import admin

from .models import (
    Category,
    Certification,
    Material,
    MaterialTest,
    Product,
    ProductImage,
    Standard,
    UpgradeRecord,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "parent", "hs_code", "position"]
    list_filter = ["parent"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Standard)
class StandardAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "name_th", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["reference", "name_th", "name_en"]


class ProductImageInline(ReadOnlyMixin, admin.TabularInline):
    model = ProductImage
    fields = ["image", "thumbnail", "width", "height", "position"]
    extra = 0


class CertificationInline(ReadOnlyMixin, admin.TabularInline):
    model = Certification
    fields = ["standard", "number", "issued_on", "expires_on", "expiry_notified_at"]
    extra = 0


@admin.register(Product)
class ProductAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name_th", "enterprise", "category", "status", "otop_stars", "created_at"]
    list_filter = ["status", "category", "otop_stars"]
    list_select_related = ["enterprise", "category"]
    search_fields = ["name_th", "name_en", "hs_code"]
    date_hierarchy = "created_at"
    inlines = [ProductImageInline, CertificationInline]


@admin.register(Certification)
class CertificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "standard", "product", "issued_on", "expires_on"]
    list_filter = ["standard__kind", "expires_on"]
    list_select_related = ["standard", "product"]
    search_fields = ["number", "product__name_th"]
    # The document is private: the admin never links to it.
    exclude = ["document"]


@admin.register(UpgradeRecord)
class UpgradeRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["summary", "product", "area", "stage", "started_on"]
    list_filter = ["area", "stage"]
    list_select_related = ["product"]
    search_fields = ["summary", "product__name_th"]


class MaterialTestInline(ReadOnlyMixin, admin.TabularInline):
    model = MaterialTest
    fields = ["tested_on", "firing_temperature", "shrinkage", "water_absorption", "passed"]
    extra = 0


@admin.register(Material)
class MaterialAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "supplier"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    inlines = [MaterialTestInline]
