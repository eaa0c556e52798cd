from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toolkit import thaidates
from toolkit.fields import BEDateField
from toolkit.thaisort import thai_order

from .files import validate_document
from .models import Category, Certification, Product, Standard
from .services.catalogue import MAX_PHOTOS

# Orton cones, coolest first: 022 to 01 carry a leading zero ("06" is about 1000 °C),
# 1 to 14 do not ("6" is about 1220 °C), so the value is a string and never a number.
ORTON_CONES = tuple(f"0{n}" for n in range(22, 0, -1)) + tuple(str(n) for n in range(1, 15))

# OTOP star ratings were first given in the 2003 selection round (B.E. 2546).
FIRST_OTOP_YEAR = 2003

PHOTO_TYPES = "image/jpeg,image/png,image/webp"
DOCUMENT_TYPES = "application/pdf,image/jpeg,image/png,image/webp"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class CategoryChoiceField(forms.ModelChoiceField):
    """Product types only, each shown under its OTOP group."""

    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}"


class RoundYearField(forms.IntegerField):
    """A year typed in B.E. (2400 or more) or C.E.; kept C.E., shown in B.E. under Thai."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().translate(_THAI_DIGITS)
        year = super().to_python(value)
        if year is not None and year >= thaidates.BE_YEAR_MIN:
            year -= thaidates.BE_OFFSET
        return year

    def prepare_value(self, value):
        # A stored (C.E.) year is shown as the reader counts; a typed value as typed.
        if isinstance(value, int):
            return thaidates.display_year(value)
        return value

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric"}


class ProductForm(forms.ModelForm):
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(parent__isnull=False)
        .select_related("parent")
        .order_by("parent__position", "position", thai_order("name_th")),
    )
    otop_stars = forms.TypedChoiceField(
        label=_("OTOP stars"),
        choices=[("", "—")] + [(n, "★" * n) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    otop_year = RoundYearField(
        label=_("OTOP selection round (year)"),
        required=False,
        help_text=_(
            "The year of the round that gave the stars, in B.E. or C.E., for example 2566."
        ),
        widget=forms.TextInput,
    )
    orton_cone = forms.ChoiceField(
        label=_("Orton cone"),
        choices=[("", "—")] + [(cone, cone) for cone in ORTON_CONES],
        required=False,
        error_messages={
            "invalid_choice": _(
                "%(value)s is not an Orton cone. Cones run from 022 to 01 (with a leading "
                "zero) and from 1 to 14."
            )
        },
    )

    POSITIVE_FIELDS = ("length_mm", "width_mm", "height_mm", "capacity_ml", "weight_g")
    TEMPERATURE_FIELDS = ("bisque_temperature", "glaze_temperature")

    class Meta:
        model = Product
        fields = [
            "name_th",
            "name_en",
            "category",
            "hs_code",
            "description",
            "unit_price",
            "monthly_capacity",
            "otop_stars",
            "otop_year",
            "clay_body",
            "forming_method",
            "glaze",
            "bisque_temperature",
            "glaze_temperature",
            "orton_cone",
            "atmosphere",
            "kiln_type",
            "length_mm",
            "width_mm",
            "height_mm",
            "capacity_ml",
            "weight_g",
            "water_absorption",
            "lead_free_glaze",
            "food_safe",
            "microwave_safe",
            "dishwasher_safe",
            "oven_safe",
        ]
        help_texts = {
            "hs_code": _("Leave blank to use the category's HS code."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.POSITIVE_FIELDS:
            self.fields[name].validators.append(MinValueValidator(1))
            self.fields[name].widget.attrs["min"] = 1
        for name in self.TEMPERATURE_FIELDS:
            # No ceramic firing happens below about 600 °C (cone 022).
            self.fields[name].validators.append(MinValueValidator(500))
            self.fields[name].widget.attrs["min"] = 500
        self.fields["unit_price"].widget.attrs.update({"min": 0, "inputmode": "decimal"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Basics"), "name_th", "name_en", "category", "hs_code", "description"),
            Fieldset(
                _("Price and capacity"),
                Row(Column("unit_price", css_class="col-sm-6"), Column("monthly_capacity")),
            ),
            Fieldset(
                _("OTOP"),
                Row(Column("otop_stars", css_class="col-sm-6"), Column("otop_year")),
            ),
            Fieldset(
                _("Ceramic specification"),
                Row(Column("clay_body", css_class="col-sm-6"), Column("forming_method")),
                "glaze",
                Row(
                    Column("bisque_temperature", css_class="col-sm-4"),
                    Column("glaze_temperature", css_class="col-sm-4"),
                    Column("orton_cone", css_class="col-sm-4"),
                ),
                Row(Column("atmosphere", css_class="col-sm-6"), Column("kiln_type")),
                Row(
                    Column("length_mm", css_class="col-sm-4"),
                    Column("width_mm", css_class="col-sm-4"),
                    Column("height_mm", css_class="col-sm-4"),
                ),
                Row(
                    Column("capacity_ml", css_class="col-sm-4"),
                    Column("weight_g", css_class="col-sm-4"),
                    Column("water_absorption", css_class="col-sm-4"),
                ),
            ),
            Fieldset(
                _("Safety"),
                "lead_free_glaze",
                "food_safe",
                "microwave_safe",
                "dishwasher_safe",
                "oven_safe",
            ),
        )

    def clean_hs_code(self):
        code = self.cleaned_data["hs_code"].replace(".", "").replace(" ", "")
        if code and not (code.isdigit() and 4 <= len(code) <= 10):
            raise ValidationError(
                _("An HS code has 4 to 10 digits, for example 6912 or 6912.00."), code="hs_code"
            )
        return code

    def clean_otop_year(self):
        year = self.cleaned_data["otop_year"]
        last = timezone.localdate().year
        if year is not None and not FIRST_OTOP_YEAR <= year <= last:
            raise ValidationError(
                _("Give a selection round between %(first)s and %(last)s.")
                % {
                    "first": thaidates.display_year(FIRST_OTOP_YEAR),
                    "last": thaidates.display_year(last),
                },
                code="otop_year",
            )
        return year

    def clean(self):
        cleaned = super().clean()
        stars, year = cleaned.get("otop_stars"), cleaned.get("otop_year")
        if stars and year is None and "otop_year" not in self.errors:
            self.add_error("otop_year", _("Give the year of the round that gave the stars."))
        if year is not None and not stars and "otop_stars" not in self.errors:
            self.add_error("otop_stars", _("Give the stars of this selection round."))
        return cleaned

    def service_data(self):
        """The cleaned values, as the catalogue services take them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked like a single FileField."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [item for item in (data or []) if item]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PhotoUploadForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos"), widget=MultipleFileInput(attrs={"accept": PHOTO_TYPES})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per form, in the language of the request, not once at import.
        self.fields["photos"].help_text = _(
            "JPEG, PNG or WebP, up to 10 MB each, at most %(max)s photos per product. "
            "You can choose several at once."
        ) % {"max": MAX_PHOTOS}

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(
                _("Choose at most %(max)s photos.") % {"max": MAX_PHOTOS}, code="too_many"
            )
        return photos


class CertificationForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Document"),
        required=False,
        validators=[validate_document],
        help_text=_(
            "The certificate as a PDF or a photo, up to 10 MB. Only your enterprise and "
            "the programme's officers can open it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_TYPES}),
    )

    class Meta:
        model = Certification
        fields = ["standard", "number", "issued_on", "expires_on"]
        field_classes = {"issued_on": BEDateField, "expires_on": BEDateField}
        help_texts = {"expires_on": _("Leave blank if the certificate does not expire.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = Standard.objects.filter(is_active=True)

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on and issued_on > timezone.localdate():
            raise ValidationError(_("The issue date cannot be in the future."), code="future")
        return issued_on

    def clean(self):
        cleaned = super().clean()
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error("expires_on", _("A certificate cannot expire before it was issued."))
        return cleaned

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["kind", "reference", "name_th", "name_en"]

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StandardUpdateForm(StandardForm):
    class Meta(StandardForm.Meta):
        fields = [*StandardForm.Meta.fields, "is_active"]
