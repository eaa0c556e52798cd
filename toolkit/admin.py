from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

from .models import AuditEntry


def _holds(field, value):
    """Whether `field` (a model field) can hold `value`: a number in range for an integer key."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, redrawing a form sent back with a value its key cannot
    hold (`abc`, or a number past the column's range) as nothing chosen: Django's own looks
    such a value up while drawing the page, and fails with ValueError or OverflowError."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.get_related_field()
        return super().optgroups(name, [v for v in value if _holds(target, v)], attr)


class CheckedAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete_fields use CheckedAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor"]
    readonly_fields = ["created_at", "actor", "action", "target_type", "target_id", "data"]
