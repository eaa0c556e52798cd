"""Admin for reading programmes and their applications.

States and capacities change only through the officers' pages (programmes.services),
which audit each change and keep the waitlist moving, so here they are read-only.
"""

from django.contrib import admin

from .models import (
    Enrolment,
    EnrolmentEvent,
    Intake,
    IntakeQuestion,
    Partner,
    Programme,
    ProgrammePartner,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["name_th", "name_en", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name_th", "name_en"]


class ProgrammePartnerInline(ReadOnlyInline):
    model = ProgrammePartner
    fields = ["partner", "role", "agreement_reference"]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["title_th", "fiscal_year", "policy", "status"]
    list_filter = ["status", "fiscal_year"]
    search_fields = ["title_th", "title_en", "policy"]
    inlines = [ProgrammePartnerInline]


class IntakeQuestionInline(ReadOnlyInline):
    model = IntakeQuestion
    fields = ["position", "text_th", "text_en", "required"]


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin):
    list_display = ["name_th", "programme", "opens_at", "closes_at", "capacity"]
    list_filter = ["programme__status"]
    list_select_related = ["programme"]
    search_fields = ["name_th", "name_en", "programme__title_th"]
    inlines = [IntakeQuestionInline]


class EnrolmentEventInline(ReadOnlyInline):
    model = EnrolmentEvent
    fields = ["at", "from_status", "to_status", "note", "by"]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "intake", "status", "submitted_at"]
    list_filter = ["status", "intake__programme"]
    list_select_related = ["enterprise", "intake"]
    search_fields = ["enterprise__name_th", "enterprise__name_en"]
    raw_id_fields = ["enterprise", "intake"]
    inlines = [EnrolmentEventInline]
