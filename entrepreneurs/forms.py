from django import forms
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User, phone_validator

from . import validators
from .models import District, Enterprise, MemberRole, Province, Subdistrict

line_id_validator = RegexValidator(
    r"^@?[A-Za-z0-9._-]{1,49}$",
    _("A LINE ID has letters, digits, dots, hyphens and underscores, like kokha.pottery."),
)

# The button that re-draws the form with the next address list when JavaScript is off.
REFRESH_ADDRESS = "refresh_address"


class AddressFieldsMixin:
    """Province → district → subdistrict → postal code, each list narrowed by the one before.

    The form needs fields named province, district, subdistrict and postal_code. With
    htmx each choice loads the next list (entrepreneurs:districts and the like); without
    JavaScript the form's "show the next list" button re-draws the page (REFRESH_ADDRESS).
    On POST each list holds only the children of the chosen parent, so a district of
    another province is refused.
    """

    def init_address_fields(self):
        province = self.address_value("province")
        district = self.address_value("district")
        subdistrict_code = self.address_value("subdistrict")
        self.fields["province"].queryset = Province.objects.home_first()
        self.fields["district"].queryset = District.objects.filter(province_id=province).by_name()
        self.fields["subdistrict"].queryset = Subdistrict.objects.filter(
            district_id=district
        ).by_name()
        subdistrict = Subdistrict.objects.filter(
            code=subdistrict_code, district_id=district
        ).first()
        postal_codes = subdistrict.postal_code_list if subdistrict else []
        prompt = _("Choose the postal code") if subdistrict else _("Choose the subdistrict first")
        self.fields["postal_code"].widget.choices = [("", prompt)] + [
            (code, code) for code in postal_codes
        ]
        if len(postal_codes) == 1 and not self.address_value("postal_code"):
            self.initial["postal_code"] = postal_codes[0]
        if not province:
            self.fields["district"].empty_label = _("Choose the province first")
        if not district:
            self.fields["subdistrict"].empty_label = _("Choose the district first")
        self.fields["district"].error_messages["invalid_choice"] = _(
            "This district is not in the province you chose. Choose the district again."
        )
        self.fields["subdistrict"].error_messages["invalid_choice"] = _(
            "This subdistrict is not in the district you chose. Choose the subdistrict again."
        )
        self.link_address_lists()

    def address_value(self, name):
        """The code chosen so far: the posted one, else the initial (a ModelForm's saved one)."""
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        return getattr(value, "pk", value) or None

    def link_address_lists(self):
        """htmx attributes: choosing a place loads the next list and empties the later ones."""
        chain = [
            ("province", "entrepreneurs:districts", "district", None),
            ("district", "entrepreneurs:subdistricts", "subdistrict", "districts-loaded"),
            ("subdistrict", "entrepreneurs:postal_codes", "postal_code", "subdistricts-loaded"),
        ]
        for name, url_name, child, reload_event in chain:
            trigger = "change"
            if reload_event:
                # The parent list was replaced: reload this one's children for its new value.
                trigger += f", {reload_event} from:body"
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse(url_name),
                    "hx-target": "#" + self[child].auto_id,
                    "hx-trigger": trigger,
                    "hx-swap": "innerHTML",
                }
            )

    def clean(self):
        cleaned = super().clean()
        subdistrict = cleaned.get("subdistrict")
        postal_code = cleaned.get("postal_code")
        if subdistrict is None or "postal_code" in self.errors:
            return cleaned
        codes = subdistrict.postal_code_list
        if not postal_code and len(codes) == 1:
            cleaned["postal_code"] = codes[0]
        elif not postal_code:
            self.add_error("postal_code", _("Choose the postal code."))
        elif postal_code not in codes:
            self.add_error(
                "postal_code",
                _("%(code)s is not a postal code of %(subdistrict)s; it has %(codes)s.")
                % {"code": postal_code, "subdistrict": subdistrict.name, "codes": ", ".join(codes)},
            )
        return cleaned


class EnterpriseForm(AddressFieldsMixin, forms.ModelForm):
    """An enterprise's details; the service checks duplicates and names the one found."""

    registration_code = forms.CharField(
        label=_("Community-enterprise registration code"),
        required=False,
        max_length=20,
        help_text=_("12 digits, like 4-52-03-01/1-0012. Leave empty if the enterprise has none."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tax_id = forms.CharField(
        label=_("Tax ID"),
        required=False,
        max_length=20,
        help_text=_("13 digits; an individual artisan gives their national ID number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    postal_code = forms.CharField(label=_("Postal code"), required=False, widget=forms.Select)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    line_id = forms.CharField(
        label=_("LINE ID"), max_length=50, required=False, validators=[line_id_validator]
    )

    class Meta:
        model = Enterprise
        fields = [
            "kind",
            "name_th",
            "name_en",
            "registration_code",
            "tax_id",
            "address_line",
            "province",
            "district",
            "subdistrict",
            "postal_code",
            "phone",
            "line_id",
        ]
        labels = {
            "kind": _("Kind of enterprise"),
            "name_th": _("Name in Thai"),
            "name_en": _("Name in English"),
            "address_line": _("House number, village, road"),
            "province": _("Province"),
            "district": _("District (amphoe)"),
            "subdistrict": _("Subdistrict (tambon)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_address_fields()
        if self.instance.pk:
            if self.initial.get("registration_code") == self.instance.registration_code:
                self.initial["registration_code"] = self.instance.formatted_registration_code
            if self.instance.tax_id_display:
                self.fields["tax_id"].help_text = _(
                    "On file: %(tax_id)s. Leave empty to keep it, or type a new one."
                ) % {"tax_id": self.instance.tax_id_display}

    def clean_registration_code(self):
        value = self.cleaned_data["registration_code"].strip()
        return validators.clean_registration_code(value) if value else ""

    def clean_tax_id(self):
        value = self.cleaned_data["tax_id"].strip()
        return validators.clean_tax_id(value) if value else ""

    def validate_unique(self):
        # The service checks uniqueness, and its message names the enterprise found.
        pass


class OfficerEnterpriseForm(EnterpriseForm):
    """An officer registers an enterprise, on an entrepreneur's behalf or for nobody yet."""

    on_behalf_of = forms.EmailField(
        label=_("On behalf of (the entrepreneur's email address)"),
        required=False,
        help_text=_(
            "The entrepreneur's portal account becomes the president. Leave empty to "
            "register the enterprise without a member."
        ),
    )

    field_order = ["on_behalf_of"]

    def clean_on_behalf_of(self):
        email = self.cleaned_data["on_behalf_of"].strip()
        if not email:
            return None
        user = User.objects.filter(
            email__iexact=email, role=Role.ENTREPRENEUR, is_active=True
        ).first()
        if user is None:
            raise forms.ValidationError(
                _("No entrepreneur account uses this email address. Ask them to sign up first.")
            )
        return user


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    user_email = forms.EmailField(
        label=_("Portal account email (optional)"),
        required=False,
        help_text=_(
            "The email of the person's entrepreneur account: with it they can edit the "
            "enterprise's data too."
        ),
    )


class StatusForm(forms.Form):
    """An officer's verification decision; the choices are the states allowed next."""

    status = forms.ChoiceField(label=_("New verification state"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when making an enterprise inactive. The members will read it."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices
