"""Forms of upgrade records and the material library; the services check the same rules."""

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from products.images import validate_photo
from toolkit.fields import BEDateField

from .models import Material, MaterialKind, MaterialTest, UpgradeRecord
from .services.materials import RELEASES
from .services.upgrades import AMOUNT_FIELDS, PHOTO_FIELDS, expert_choices

PHOTO_ATTRS = {"accept": "image/jpeg,image/png,image/webp"}


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.get_role_display()})"


class UpgradeForm(forms.ModelForm):
    before_photo = forms.FileField(
        label=_("Photo before"),
        required=False,
        validators=[validate_photo],
        widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS),
    )
    after_photo = forms.FileField(
        label=_("Photo after"),
        required=False,
        validators=[validate_photo],
        widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS),
    )
    expert = ExpertChoiceField(
        label=_("Faculty member or officer"),
        queryset=expert_choices(),
        required=False,
        empty_label=_("Not a portal user, or no expert"),
    )

    class Meta:
        model = UpgradeRecord
        fields = [
            "area",
            "stage",
            "summary",
            "what_changed",
            "price_before",
            "price_after",
            "monthly_sales_before",
            "monthly_sales_after",
            "expert",
            "expert_name",
            "started_on",
            "completed_on",
        ]
        field_classes = {"started_on": BEDateField, "completed_on": BEDateField}
        widgets = {"what_changed": forms.Textarea(attrs={"rows": 4})}

    # The photos are not model fields here: the service re-encodes them before they are kept.
    field_order = ["area", "stage", "summary", "what_changed", *PHOTO_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in AMOUNT_FIELDS:
            field = self.fields[name]
            field.validators.append(MinValueValidator(0))
            field.widget.attrs["min"] = "0"
        for name in PHOTO_FIELDS:
            self.fields[name].initial = getattr(self.instance, name) or None
        self.fields["expert_name"].label = _("Or the name of an expert from outside")
        self.fields["expert_name"].help_text = _(
            "Type the expert's name when they have no account in the portal."
        )

    def clean(self):
        cleaned = super().clean()
        started, completed = cleaned.get("started_on"), cleaned.get("completed_on")
        if started and completed and completed < started:
            self.add_error("completed_on", _("The work cannot be completed before it started."))
        if cleaned.get("expert") and (cleaned.get("expert_name") or "").strip():
            self.add_error(
                "expert_name",
                _("Choose an expert from the list or type a name, not both."),
            )
        return cleaned

    def photo_changes(self):
        """Each photo as the service takes it: None unchanged, False removed, or the upload."""
        return {
            name: self.cleaned_data[name] if name in self.changed_data else None
            for name in PHOTO_FIELDS
        }


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["kind", "code", "name", "supplier", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class MaterialTestForm(forms.ModelForm):
    class Meta:
        model = MaterialTest
        fields = [
            "tested_on",
            "method",
            "firing_temperature",
            "shrinkage",
            "water_absorption",
            "firing_range_min",
            "firing_range_max",
            "lead_release",
            "lead_limit",
            "cadmium_release",
            "cadmium_limit",
            "notes",
        ]
        field_classes = {"tested_on": BEDateField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("shrinkage", "water_absorption"):
            self.fields[name].validators += [MinValueValidator(0), MaxValueValidator(100)]
        for name in ("lead_release", "lead_limit", "cadmium_release", "cadmium_limit"):
            self.fields[name].validators.append(MinValueValidator(0))
        for name in ("firing_temperature", "firing_range_min", "firing_range_max"):
            self.fields[name].validators.append(MaxValueValidator(1600))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("firing_range_min"), cleaned.get("firing_range_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "firing_range_max", _("The top of the firing range is below its bottom.")
            )
        for release, limit in RELEASES:
            measured, judged = cleaned.get(release), cleaned.get(limit)
            if measured is not None and judged is None and limit not in self.errors:
                self.add_error(limit, _("Give the limit this result was judged against."))
        return cleaned


class ProductMaterialsForm(forms.Form):
    materials = forms.ModelMultipleChoiceField(
        label=_("Materials this product is made with"),
        queryset=Material.objects.order_by("kind", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].label_from_instance = lambda material: (
            f"{material.code} {material.name} ({material.get_kind_display()})"
        )


class MaterialFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": _("Code or name")}
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=MaterialKind.choices,
        empty_label=_("All kinds"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Material
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
