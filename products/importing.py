"""Bulk import of products, each attached to an enterprise already in the registry.

Built on the machinery of toolkit/importing.py; products arrive as drafts.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from entrepreneurs import validators
from entrepreneurs.models import REGISTRY_DATA, Enterprise
from toolkit.importing import (
    Column,
    Importer,
    RowForm,
    choice_lookup,
    clean_choice,
    in_language,
    label_key,
)
from toolkit.pagination import data_changed
from toolkit.spreadsheets import clean_text

from .forms import ProductForm
from .models import Category, ClayBody, Product, ProductStatus

CLAY_ALIASES = {
    ClayBody.EARTHENWARE: ("เอิร์ธเทนแวร์", "เอิร์ทเทนแวร์", "ดินเผา", "ดินเผาไฟต่ำ"),
    ClayBody.STONEWARE: ("สโตนแวร์", "ดินสโตนแวร์", "ดินเผาไฟสูง"),
    ClayBody.PORCELAIN: ("พอร์ซเลน", "พอร์สเลน", "ปอร์ซเลน"),
    ClayBody.LAMPANG_KAOLIN: ("ดินขาวลำปาง", "ดินขาว", "เกาลินลำปาง", "kaolin"),
}
YES = {"ใช่", "yes", "y", "true", "1", "✓"}
NO = {"ไม่ใช่", "ไม่", "no", "n", "false", "0"}


UNITS = re.compile(r"(บาท|฿|ชิ้น|pcs|องศา(เซลเซียส)?|°\s*c|ดาว|stars?)$", re.IGNORECASE)


def strip_units(value) -> str:
    """A number as officers type it, "1,200 บาท", "1230 °C" or "4 ดาว", without the extras."""
    return UNITS.sub("", clean_text(value or "")).replace(",", "").strip()


class NumberField(forms.DecimalField):
    def to_python(self, value):
        return super().to_python(strip_units(value))


class WholeNumberField(forms.IntegerField):
    def to_python(self, value):
        return super().to_python(strip_units(value))


@dataclass
class ProductContext:
    clay_bodies: dict[str, str]
    categories: dict[str, Category]  # by label_key of code, Thai and English names
    leaf_names: str
    # enterprise pk → (Thai name, English name)
    enterprises: dict[int, tuple[str, str]]
    by_code: dict[str, int]
    by_tax_hash: dict[str, int]
    # (enterprise pk, product name key) of products already registered
    taken_names: set[tuple[int, str]]


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


class ProductRowForm(RowForm):
    """A product as one spreadsheet row, checked like the product form."""

    enterprise_code = forms.CharField(required=False)
    enterprise_tax_id = forms.CharField(required=False)
    name_th = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)
    category = forms.CharField()
    unit_price = NumberField(max_digits=10, decimal_places=2, min_value=0, required=False)
    monthly_capacity = WholeNumberField(min_value=0, max_value=2_147_483_647, required=False)
    otop_stars = WholeNumberField(min_value=1, max_value=5, required=False)
    # The product form's own fields and checks: a B.E. or C.E. year, cones as strings.
    otop_year = ProductForm.base_fields["otop_year"]
    clay_body = forms.CharField(required=False)
    glaze_temperature = WholeNumberField(min_value=500, max_value=1600, required=False)
    orton_cone = ProductForm.base_fields["orton_cone"]
    lead_free_glaze = forms.CharField(required=False)

    clean_otop_year = ProductForm.clean_otop_year

    def clean_category(self):
        value = self.cleaned_data["category"]
        category = self.context.categories.get(label_key(value))
        if category is None:
            raise ValidationError(
                _("No category is named “%(value)s”. Use one of: %(names)s."),
                code="unknown_category",
                params={"value": value, "names": self.context.leaf_names},
            )
        if category.parent_id is None or category.children.all():
            raise ValidationError(
                _("“%(value)s” is a group, not a product type. Use one of: %(names)s."),
                code="category_group",
                params={"value": value, "names": self.context.leaf_names},
            )
        return category

    def clean_clay_body(self):
        return clean_choice(self.cleaned_data["clay_body"], ClayBody, self.context.clay_bodies)

    def clean_lead_free_glaze(self):
        value = self.cleaned_data["lead_free_glaze"].casefold()
        if not value or value in NO:
            return False
        if value in YES:
            return True
        raise ValidationError(_("Write ใช่ or ไม่ใช่ (yes or no)."), code="yes_no")

    def clean(self):
        data = super().clean()
        # As the product form: stars and the round that gave them go together.
        stars, year = data.get("otop_stars"), data.get("otop_year")
        if stars and year is None and "otop_year" not in self.errors:
            self.add_error("otop_year", _("Give the year of the round that gave the stars."))
        if year is not None and not stars and "otop_stars" not in self.errors:
            self.add_error("otop_stars", _("Give the stars of this selection round."))
        enterprise = self._find_enterprise(data)
        if enterprise is None:
            return data
        data["enterprise_id"] = enterprise
        name = data.get("name_th")
        if name and (enterprise, name_key(name)) in self.context.taken_names:
            self.add_error(
                "name_th",
                ValidationError(
                    _("%(enterprise)s already has a product named “%(name)s”."),
                    params={
                        "enterprise": in_language(*self.context.enterprises[enterprise]),
                        "name": name,
                    },
                ),
            )
        return data

    def _find_enterprise(self, data) -> int | None:
        """The enterprise's pk, by its registration code or its tax ID."""
        context = self.context
        code, tax_id = data.get("enterprise_code"), data.get("enterprise_tax_id")
        if not code and not tax_id:
            self.add_error(
                "enterprise_code",
                _("Give the enterprise's registration code or its tax ID."),
            )
            return None
        found = set()
        if code:
            try:
                code = validators.clean_registration_code(code)
            except ValidationError as error:
                self.add_error("enterprise_code", error)
                return None
            if code not in context.by_code:
                self.add_error(
                    "enterprise_code",
                    ValidationError(
                        _("No enterprise is registered with the code %(code)s."),
                        params={"code": code},
                    ),
                )
                return None
            found.add(context.by_code[code])
        if tax_id:
            try:
                tax_id = validators.clean_tax_id(tax_id)
            except ValidationError as error:
                self.add_error("enterprise_tax_id", error)
                return None
            enterprise = context.by_tax_hash.get(validators.hash_tax_id(tax_id))
            if enterprise is None:
                self.add_error(
                    "enterprise_tax_id",
                    _("No enterprise is registered with this tax ID."),
                )
                return None
            found.add(enterprise)
        if len(found) > 1:
            self.add_error(
                "enterprise_tax_id",
                _("The registration code and the tax ID belong to different enterprises."),
            )
            return None
        return found.pop()


PRODUCT_COLUMNS = [
    Column(
        "enterprise_code",
        "รหัสทะเบียนวิสาหกิจชุมชน",
        _("Enterprise's registration code"),
        aliases=("รหัสทะเบียน", "registration code", "enterprise registration code"),
        example="4-52-03-06/1-0001",
        help=_("The enterprise must already be registered: give its code or its tax ID."),
        kind="code",
    ),
    Column(
        "enterprise_tax_id",
        "เลขประจำตัวผู้เสียภาษี",
        _("Enterprise's tax ID"),
        aliases=("เลขประจำตัวผู้เสียภาษีอากร", "เลขผู้เสียภาษี", "tax id", "enterprise tax id"),
        help=_("Instead of the registration code, or with it."),
        kind="code",
        leading_zero=13,
    ),
    Column(
        "name_th",
        "ชื่อผลิตภัณฑ์",
        _("Product name (Thai)"),
        aliases=("ชื่อสินค้า", "ชื่อ", "product name", "name"),
        example="แจกันดินเผาลายช้าง",
        required=True,
    ),
    Column(
        "name_en",
        "ชื่อภาษาอังกฤษ",
        _("Product name (English)"),
        aliases=("english name",),
        example="Elephant terracotta vase",
    ),
    Column(
        "category",
        "หมวดหมู่",
        _("Category"),
        aliases=("ประเภทผลิตภัณฑ์", "ประเภท", "category"),
        example="แจกันและกระถาง",
        help=_("A product type (not a group), by its Thai or English name or its code."),
        required=True,
    ),
    Column(
        "unit_price",
        "ราคาต่อหน่วย",
        _("Unit price (THB)"),
        aliases=("ราคา", "ราคา(บาท)", "price", "unit price"),
        example="350",
        kind="number",
    ),
    Column(
        "monthly_capacity",
        "กำลังการผลิตต่อเดือน",
        _("Monthly capacity (pieces)"),
        aliases=("กำลังการผลิต", "monthly capacity", "capacity"),
        example="200",
        kind="number",
    ),
    Column(
        "otop_stars",
        "ระดับดาว OTOP",
        _("OTOP stars"),
        aliases=("ระดับดาว", "ดาว", "otop stars", "stars"),
        example="4",
        help=_("1 to 5."),
        kind="number",
    ),
    Column(
        "otop_year",
        "ปีที่คัดสรร",
        _("OTOP round year"),
        aliases=("ปีคัดสรร", "otop year", "selection year"),
        example="2566",
        help=_("Buddhist Era (2566) or Gregorian (2023)."),
        kind="number",
    ),
    Column(
        "clay_body",
        "ชนิดดิน",
        _("Clay body"),
        aliases=("เนื้อดิน", "clay body", "clay"),
        example="เอิร์ธเทนแวร์",
        help=_("Earthenware, stoneware, porcelain or Lampang kaolin, in Thai or English."),
    ),
    Column(
        "glaze_temperature",
        "อุณหภูมิเผา",
        _("Glaze firing (°C)"),
        aliases=("อุณหภูมิเผาเคลือบ", "firing temperature", "glaze temperature"),
        example="1000",
        kind="number",
    ),
    Column(
        "orton_cone",
        "โคนออร์ตัน",
        _("Orton cone"),
        aliases=("โคน", "orton cone", "cone"),
        example="06",
        help=_("As printed on the cone, 022 to 01 or 1 to 14: 06 and 6 are different cones."),
        kind="code",
    ),
    Column(
        "lead_free_glaze",
        "ปลอดสารตะกั่ว",
        _("Lead-free glaze"),
        aliases=("เคลือบปลอดสารตะกั่ว", "lead free", "lead-free glaze"),
        example="ใช่",
        help=_("ใช่ or ไม่ใช่ (yes or no); empty means no."),
    ),
]


class ProductImporter(Importer):
    key = "products"
    title = _("Import products")
    model = Product
    form_class = ProductRowForm
    columns = PRODUCT_COLUMNS
    audit_action = "products.imported"

    def check_columns(self, fields):
        super().check_columns(fields)
        if not {"enterprise_code", "enterprise_tax_id"} & fields:
            raise ValidationError(
                _(
                    "The file needs a column to find each enterprise: "
                    "รหัสทะเบียนวิสาหกิจชุมชน or เลขประจำตัวผู้เสียภาษี."
                ),
                code="missing_enterprise_column",
            )

    def prepare(self, sheet, *, lock=False):
        codes, hashes = validators.lookup_keys(
            (values.get("enterprise_code", ""), values.get("enterprise_tax_id", ""))
            for _number, values in sheet.rows
        )
        enterprises = Enterprise.objects.filter(
            Q(registration_code__in=codes) | Q(tax_id_hash__in=hashes)
        ).order_by("pk")
        if lock:
            # Two imports into one enterprise take turns, so neither misses the other's names.
            enterprises = enterprises.select_for_update()
            # Preparing to write (import_rows): the officers' product list counts them.
            data_changed(REGISTRY_DATA)
        names, by_code, by_tax_hash = {}, {}, {}
        for pk, code, tax_hash, name_th, name_en in enterprises.values_list(
            "pk", "registration_code", "tax_id_hash", "name_th", "name_en"
        ):
            names[pk] = (name_th, name_en)
            if code:
                by_code[code] = pk
            if tax_hash:
                by_tax_hash[tax_hash] = pk
        taken_names = {
            (enterprise, name_key(name))
            for enterprise, name in Product.objects.filter(enterprise_id__in=names).values_list(
                "enterprise_id", "name_th"
            )
        }
        categories = list(Category.objects.prefetch_related("children"))
        by_label = {}
        for category in categories:
            for label in (category.code, category.name_th, category.name_en):
                if label:
                    by_label.setdefault(label_key(label), category)
        leaves = [c for c in categories if c.parent_id and not c.children.all()]
        return ProductContext(
            clay_bodies=choice_lookup(ClayBody, CLAY_ALIASES),
            categories=by_label,
            leaf_names=", ".join(c.name for c in leaves),
            enterprises=names,
            by_code=by_code,
            by_tax_hash=by_tax_hash,
            taken_names=taken_names,
        )

    def unique_keys(self, cleaned):
        if cleaned.get("enterprise_id") and cleaned.get("name_th"):
            yield "name_th", (cleaned["enterprise_id"], name_key(cleaned["name_th"]))

    def build(self, cleaned, *, by):
        category = cleaned["category"]
        product = Product(
            enterprise_id=cleaned["enterprise_id"],
            name_th=cleaned["name_th"],
            name_en=cleaned["name_en"],
            category=category,
            hs_code=category.hs_code,
            unit_price=cleaned["unit_price"],
            monthly_capacity=cleaned["monthly_capacity"],
            otop_stars=cleaned["otop_stars"],
            otop_year=cleaned["otop_year"],
            clay_body=cleaned["clay_body"],
            glaze_temperature=cleaned["glaze_temperature"],
            orton_cone=cleaned["orton_cone"],
            lead_free_glaze=cleaned["lead_free_glaze"],
            status=ProductStatus.DRAFT,
            created_by=by,
        )
        # bulk_create skips save(), which is where search_text is usually filled in.
        product.search_text = product.build_search_text()
        return product

    def result_message(self, result):
        imported = ngettext(
            "%(count)s product imported as a draft",
            "%(count)s products imported as drafts",
            result.imported,
        ) % {"count": result.imported}
        skipped = ngettext("%(count)s row skipped.", "%(count)s rows skipped.", result.skipped) % {
            "count": result.skipped
        }
        return f"{imported}, {skipped}"
