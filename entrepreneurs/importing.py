"""Bulk import of enterprises from the spreadsheets officers keep (toolkit/importing.py).

Each row is checked like the registration form: kind by its Thai or English name, the
registration code and tax ID (and whether they are registered already), and the address
found by its Thai names within their parents or by the subdistrict's code.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import phone_validator
from toolkit.importing import (
    Column,
    Importer,
    RowForm,
    choice_lookup,
    clean_choice,
    in_language,
)
from toolkit.pagination import data_changed
from toolkit.spreadsheets import clean_text

from . import validators
from .forms import line_id_validator
from .models import REGISTRY_DATA, District, Enterprise, EnterpriseKind, Province, Subdistrict

# --- Thai places by name -----------------------------------------------------------------

PLACE_PREFIX = re.compile(
    r"^(?:จังหวัด|จ\.|กิ่งอำเภอ|อำเภอ|อ\.|เขต|ตำบล|ต\.|แขวง"
    r"|changwat\s|amphoe\s|amphur\s|khet\s|tambon\s|khwaeng\s)\s*"
)
PROVINCE_ALIASES = {"กรุงเทพ": "10", "กรุงเทพฯ": "10", "กทม": "10"}


def place_key(name: str) -> str:
    """A place name without its ตำบล/อำเภอ/จังหวัด prefix, spaces or case."""
    key = PLACE_PREFIX.sub("", clean_text(name).casefold())
    return re.sub(r"[\s\-.'’]", "", key)


class Gazetteer:
    """Thai places by name within their parent, read once per import (three queries).

    Names are not unique (795 subdistrict names repeat), so a subdistrict is looked up
    only inside its district, and a district inside its province.
    """

    def __init__(self):
        self.provinces = {
            code: (th, en)
            for code, th, en in Province.objects.values_list("code", "name_th", "name_en")
        }
        self.districts = {
            code: (th, en, province)
            for code, th, en, province in District.objects.values_list(
                "code", "name_th", "name_en", "province_id"
            )
        }
        self.subdistricts = {
            code: (th, en, district, postal.split())
            for code, th, en, district, postal in Subdistrict.objects.values_list(
                "code", "name_th", "name_en", "district_id", "postal_codes"
            )
        }
        self._province_keys = dict(PROVINCE_ALIASES)
        for code, (th, en) in self.provinces.items():
            self._province_keys[place_key(th)] = code
            self._province_keys[place_key(en)] = code
        self._district_keys = {}
        for code, (th, en, province) in self.districts.items():
            self._district_keys[province, place_key(th)] = code
            self._district_keys[province, place_key(en)] = code
        self._subdistrict_keys = {}
        self._subdistricts_named = {}
        for code, (th, en, district, _postal) in self.subdistricts.items():
            for key in {place_key(th), place_key(en)}:
                self._subdistrict_keys[district, key] = code
                self._subdistricts_named.setdefault(key, []).append(code)

    def province(self, name: str) -> str | None:
        return self._province_keys.get(place_key(name))

    def district(self, province: str, name: str) -> str | None:
        key = place_key(name)
        # "อ.เมือง" is the province's capital district, named after the province.
        if key == "เมือง":
            key += place_key(self.provinces[province][0])
        elif key in ("mueang", "muang"):
            key = "mueang" + place_key(self.provinces[province][1])
        return self._district_keys.get((province, key))

    def subdistrict(self, district: str, name: str) -> str | None:
        return self._subdistrict_keys.get((district, place_key(name)))

    def subdistricts_named(self, name: str) -> list[str]:
        return self._subdistricts_named.get(place_key(name), [])

    def province_name(self, code: str) -> str:
        return in_language(*self.provinces[code])

    def district_name(self, code: str) -> str:
        th, en, _province = self.districts[code]
        return in_language(th, en)

    def subdistrict_name(self, code: str) -> str:
        th, en, _district, _postal = self.subdistricts[code]
        return in_language(th, en)

    def where(self, subdistrict: str) -> str:
        """ "District, province" of a subdistrict, for messages."""
        district = self.subdistricts[subdistrict][2]
        province = self.districts[district][2]
        return f"{self.district_name(district)}, {self.province_name(province)}"


# --- Enterprises -------------------------------------------------------------------------

KIND_ALIASES = {
    EnterpriseKind.COMMUNITY_ENTERPRISE: ("วิสาหกิจชุมชน",),
    EnterpriseKind.NETWORK: ("เครือข่ายวิสาหกิจชุมชน", "network"),
    EnterpriseKind.OTOP_GROUP: ("กลุ่มผู้ผลิต OTOP", "กลุ่มผู้ผลิตชุมชน OTOP", "OTOP"),
    EnterpriseKind.SME: ("เอสเอ็มอี", "วิสาหกิจขนาดกลางและขนาดย่อม"),
    EnterpriseKind.ARTISAN: ("ช่างฝีมือ", "ช่างฝีมือรายบุคคล", "ผู้ประกอบการรายบุคคล", "artisan"),
}


@dataclass
class EnterpriseContext:
    places: Gazetteer
    kinds: dict[str, str]
    # registration code or tax-ID hash → (Thai name, English name) of the enterprise holding it
    taken_codes: dict[str, tuple[str, str]]
    taken_tax_ids: dict[str, tuple[str, str]]


class EnterpriseRowForm(RowForm):
    """An enterprise as one spreadsheet row, checked like the registration form."""

    name_th = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)
    kind = forms.CharField()
    registration_code = forms.CharField(required=False)
    tax_id = forms.CharField(required=False)
    address_line = forms.CharField(max_length=255, required=False)
    subdistrict = forms.CharField(required=False)
    district = forms.CharField(required=False)
    province = forms.CharField(required=False)
    subdistrict_code = forms.CharField(required=False)
    postal_code = forms.CharField(required=False)
    phone = forms.CharField(max_length=20, required=False, validators=[phone_validator])
    line_id = forms.CharField(max_length=50, required=False, validators=[line_id_validator])

    def clean_kind(self):
        return clean_choice(self.cleaned_data["kind"], EnterpriseKind, self.context.kinds)

    def clean_registration_code(self):
        value = self.cleaned_data["registration_code"]
        if not value:
            return None
        code = validators.clean_registration_code(value)
        if code in self.context.taken_codes:
            raise ValidationError(
                _("Already registered as %(name)s."),
                code="registration_code_taken",
                params={"name": in_language(*self.context.taken_codes[code])},
            )
        # The file's rows are checked against the places loaded once, not a query each.
        if code[1:7] not in self.context.places.subdistricts:
            self.warnings.append(validators.unknown_subdistrict_warning(code))
        return code

    def clean_tax_id(self):
        value = self.cleaned_data["tax_id"]
        if not value:
            return ""
        tax_id = validators.clean_tax_id(value)
        taken = self.context.taken_tax_ids.get(validators.hash_tax_id(tax_id))
        if taken:
            raise ValidationError(
                _("Already registered as %(name)s."),
                code="tax_id_taken",
                params={"name": in_language(*taken)},
            )
        return tax_id

    def clean(self):
        data = super().clean()
        subdistrict = self._find_subdistrict(data)
        if subdistrict is None:
            return data
        places = self.context.places
        district = places.subdistricts[subdistrict][2]
        data["subdistrict_id"] = subdistrict
        data["district_id"] = district
        data["province_id"] = places.districts[district][2]
        postal_codes = places.subdistricts[subdistrict][3]
        postal_code = validators.digits_only(data.get("postal_code", ""))
        if not postal_code and len(postal_codes) == 1:
            postal_code = postal_codes[0]
        elif not postal_code:
            self.add_error(
                "postal_code",
                ValidationError(
                    _("This subdistrict has more than one postal code (%(codes)s): give one."),
                    params={"codes": ", ".join(postal_codes)},
                ),
            )
        elif postal_code not in postal_codes:
            self.add_error(
                "postal_code",
                ValidationError(
                    _("%(code)s is not a postal code of %(subdistrict)s; it has %(codes)s."),
                    params={
                        "code": postal_code,
                        "subdistrict": places.subdistrict_name(subdistrict),
                        "codes": ", ".join(postal_codes),
                    },
                ),
            )
        data["postal_code"] = postal_code
        return data

    def _find_subdistrict(self, data) -> str | None:
        """The subdistrict's code, from the code column or the names within their parents."""
        places = self.context.places
        code = validators.digits_only(data.get("subdistrict_code", ""))
        if code:
            if code not in places.subdistricts:
                self.add_error(
                    "subdistrict_code",
                    ValidationError(
                        _("No subdistrict has the code %(code)s."), params={"code": code}
                    ),
                )
                return None
            return code if self._names_agree(code, data) else None
        missing = [name for name in ("province", "district", "subdistrict") if not data.get(name)]
        for name in missing:
            self.add_error(name, ValidationError(self.fields[name].error_messages["required"]))
        if missing:
            return None
        province = places.province(data["province"])
        if province is None:
            self.add_error(
                "province",
                ValidationError(
                    _("No province is named “%(name)s”."), params={"name": data["province"]}
                ),
            )
            return None
        district = places.district(province, data["district"])
        if district is None:
            self.add_error(
                "district",
                ValidationError(
                    _("%(province)s has no district named “%(name)s”."),
                    params={"province": places.province_name(province), "name": data["district"]},
                ),
            )
            return None
        subdistrict = places.subdistrict(district, data["subdistrict"])
        if subdistrict is None:
            params = {"district": places.district_name(district), "name": data["subdistrict"]}
            elsewhere = places.subdistricts_named(data["subdistrict"])
            if elsewhere:
                message = _(
                    "%(district)s has no subdistrict named “%(name)s”; "
                    "there is one in %(elsewhere)s."
                )
                params["elsewhere"] = "; ".join(places.where(code) for code in elsewhere[:3])
            else:
                message = _("%(district)s has no subdistrict named “%(name)s”.")
            self.add_error("subdistrict", ValidationError(message, params=params))
        return subdistrict

    def _names_agree(self, code: str, data) -> bool:
        """Names given beside a subdistrict code must name the same place."""
        places = self.context.places
        district = places.subdistricts[code][2]
        province = places.districts[district][2]
        checks = [
            ("province", data.get("province") and places.province(data["province"]) == province),
            (
                "district",
                data.get("district") and places.district(province, data["district"]) == district,
            ),
            (
                "subdistrict",
                data.get("subdistrict")
                and places.subdistrict(district, data["subdistrict"]) == code,
            ),
        ]
        agree = True
        for name, matches in checks:
            if data.get(name) and not matches:
                agree = False
                self.add_error(
                    name,
                    ValidationError(
                        _("Subdistrict code %(code)s is %(place)s, not “%(given)s”."),
                        params={
                            "code": code,
                            "place": f"{places.subdistrict_name(code)}, {places.where(code)}",
                            "given": data[name],
                        },
                    ),
                )
        return agree


ENTERPRISE_COLUMNS = [
    Column(
        "name_th",
        "ชื่อวิสาหกิจ",
        _("Name (Thai)"),
        aliases=(
            "ชื่อวิสาหกิจชุมชน",
            "ชื่อ",
            "ชื่อภาษาไทย",
            "ชื่อกลุ่ม",
            "name",
            "thai name",
            "enterprise name",
        ),
        example="วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านตัวอย่าง",
        required=True,
    ),
    Column(
        "name_en",
        "ชื่อภาษาอังกฤษ",
        _("Name (English)"),
        aliases=("english name",),
        example="Ban Tua Yang Pottery Community Enterprise",
    ),
    Column(
        "kind",
        "ประเภท",
        _("Kind"),
        aliases=("ประเภทวิสาหกิจ", "kind", "type"),
        example="วิสาหกิจชุมชน",
        help=_(
            "Community enterprise, community-enterprise network, OTOP producer group, SME "
            "or individual artisan, in Thai or English."
        ),
        required=True,
    ),
    Column(
        "registration_code",
        "รหัสทะเบียนวิสาหกิจชุมชน",
        _("Community-enterprise registration code"),
        aliases=("รหัสทะเบียน", "เลขทะเบียนวิสาหกิจชุมชน", "registration code"),
        example="4-52-03-06/1-0001",
        help=_("12 digits, with or without dashes and slash: 4-52-03-06/1-0001."),
        kind="code",
    ),
    Column(
        "tax_id",
        "เลขประจำตัวผู้เสียภาษี",
        _("Tax ID"),
        aliases=("เลขประจำตัวผู้เสียภาษีอากร", "เลขผู้เสียภาษี", "tax id", "taxpayer id"),
        example="0525561000123",
        help=_("13 digits; the check digit is verified."),
        kind="code",
        leading_zero=13,
    ),
    Column(
        "address_line",
        "ที่อยู่",
        _("House number, village, road"),
        aliases=("บ้านเลขที่", "address"),
        example="99 หมู่ 1",
    ),
    Column(
        "subdistrict",
        "ตำบล",
        _("Subdistrict"),
        aliases=("แขวง", "ตำบล/แขวง", "subdistrict", "tambon"),
        example="เกาะคา",
        help=_("The name; it is looked up within the district and province given."),
    ),
    Column(
        "district",
        "อำเภอ",
        _("District"),
        aliases=("เขต", "อำเภอ/เขต", "district", "amphoe"),
        example="เกาะคา",
    ),
    Column("province", "จังหวัด", _("Province"), aliases=("province",), example="ลำปาง"),
    Column(
        "subdistrict_code",
        "รหัสตำบล",
        _("Subdistrict code"),
        aliases=("subdistrict code", "tambon code"),
        help=_("Optional: the 6-digit code may replace the three names."),
        kind="code",
        in_template=False,
    ),
    Column(
        "postal_code",
        "รหัสไปรษณีย์",
        _("Postal code"),
        aliases=("postal code", "postcode", "zip"),
        example="52130",
        help=_("May be left empty when the subdistrict has one postal code."),
        kind="code",
    ),
    Column(
        "phone",
        "โทรศัพท์",
        _("Phone"),
        aliases=("เบอร์โทรศัพท์", "เบอร์โทร", "หมายเลขโทรศัพท์", "phone", "telephone", "tel"),
        example="054 281 234",
        kind="code",
        leading_zero=10,
    ),
    Column(
        "line_id",
        "LINE ID",
        _("LINE ID"),
        aliases=("ไลน์", "ไอดีไลน์", "line"),
        example="@kokhapottery",
    ),
]


class EnterpriseImporter(Importer):
    key = "enterprises"
    title = _("Import enterprises")
    model = Enterprise
    form_class = EnterpriseRowForm
    columns = ENTERPRISE_COLUMNS
    audit_action = "enterprises.imported"

    def check_columns(self, fields):
        super().check_columns(fields)
        if (
            "subdistrict_code" not in fields
            and not {"province", "district", "subdistrict"} <= fields
        ):
            raise ValidationError(
                _(
                    "The file needs the columns จังหวัด, อำเภอ and ตำบล "
                    "(or a รหัสตำบล column with the 6-digit subdistrict code)."
                ),
                code="missing_place_columns",
            )

    def prepare(self, sheet, *, lock=False):
        if lock:
            # Preparing to write (import_rows): the landing page counts enterprises.
            data_changed(REGISTRY_DATA)
        codes, hashes = validators.lookup_keys(
            (values.get("registration_code", ""), values.get("tax_id", ""))
            for _number, values in sheet.rows
        )
        taken_codes, taken_tax_ids = {}, {}
        if codes or hashes:
            existing = Enterprise.objects.filter(
                Q(registration_code__in=codes) | Q(tax_id_hash__in=hashes)
            ).values_list("registration_code", "tax_id_hash", "name_th", "name_en")
            for code, tax_hash, name_th, name_en in existing:
                if code in codes:
                    taken_codes[code] = (name_th, name_en)
                if tax_hash in hashes:
                    taken_tax_ids[tax_hash] = (name_th, name_en)
        return EnterpriseContext(
            places=Gazetteer(),
            kinds=choice_lookup(EnterpriseKind, KIND_ALIASES),
            taken_codes=taken_codes,
            taken_tax_ids=taken_tax_ids,
        )

    def unique_keys(self, cleaned):
        if cleaned.get("registration_code"):
            yield "registration_code", ("code", cleaned["registration_code"])
        if cleaned.get("tax_id"):
            yield "tax_id", ("tax_id", cleaned["tax_id"])

    def build(self, cleaned, *, by):
        tax_id = cleaned["tax_id"]
        enterprise = Enterprise(
            kind=cleaned["kind"],
            name_th=cleaned["name_th"],
            name_en=cleaned["name_en"],
            registration_code=cleaned["registration_code"],
            tax_id_hash=validators.hash_tax_id(tax_id) if tax_id else None,
            tax_id_display=validators.display_tax_id(tax_id) if tax_id else "",
            address_line=cleaned["address_line"],
            subdistrict_id=cleaned["subdistrict_id"],
            district_id=cleaned["district_id"],
            province_id=cleaned["province_id"],
            postal_code=cleaned["postal_code"],
            phone=cleaned["phone"],
            line_id=cleaned["line_id"],
            created_by=by,
        )
        # bulk_create skips save(), which is where search_text is usually filled in.
        enterprise.search_text = enterprise.build_search_text()
        return enterprise

    def result_message(self, result):
        imported = ngettext(
            "%(count)s enterprise imported", "%(count)s enterprises imported", result.imported
        ) % {"count": result.imported}
        skipped = ngettext("%(count)s row skipped.", "%(count)s rows skipped.", result.skipped) % {
            "count": result.skipped
        }
        return f"{imported}, {skipped}"
