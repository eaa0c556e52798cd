"""Products and upgrades: one row per upgrade record, with its product, place and uplift."""

from decimal import Decimal

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from products.models import UpgradeArea, UpgradeRecord, UpgradeStage
from programmes.selectors import counted_upgrades
from toolkit.spreadsheets import clean_text

from ..base import Report, bilingual, choice_label, register

area_label = choice_label(UpgradeArea.choices)
stage_label = choice_label(UpgradeStage.choices)

# Characters of "what changed" a row keeps: enough to tell the work apart in a sheet, while
# the full text (which may run to pages) stays on the product page.
WHAT_CHANGED_LENGTH = 300
ONE_DECIMAL = Decimal("0.1")


def shorten(text, length=WHAT_CHANGED_LENGTH):
    """Text on one line, cut to `length` characters with an ellipsis when it was longer.

    `text` is the first length + 1 characters the database gave, so a longer one shows.
    """
    if not text:
        return ""
    cut = len(text) > length
    text = clean_text(text)
    if cut:
        text = text[: length - 1].rstrip() + "…"
    return text


@register
class UpgradeReport(Report):
    slug = "upgrades"
    title = gettext_lazy("Products and upgrades")
    description = gettext_lazy(
        "Every upgrade record: product, enterprise, province and district, area and stage, "
        "what changed, expert, dates, and price and monthly sales before and after with "
        "their uplift."
    )
    # It names people: each record's expert, and an individual artisan's enterprise
    # carries the artisan's own name; downloads are therefore logged.
    personal_data = True
    filters = (
        "programme",
        "fiscal_year",
        "province",
        "district",
        "date_from",
        "date_to",
        "area",
        "stage",
    )

    def columns(self):
        return [
            (_("Upgrade no."), 10),
            (_("Product"), 36),
            (_("Category"), 24),
            (_("Enterprise"), 36),
            (_("Province"), 18),
            (_("District"), 18),
            (_("Area"), 14),
            (_("Stage"), 16),
            (_("Summary"), 40),
            (_("What changed"), 60),
            (_("Expert"), 24),
            (_("Started on"), 12),
            (_("Completed on"), 12),
            (_("Price before (THB)"), 14),
            (_("Price after (THB)"), 14),
            (_("Price uplift (%)"), 12),
            (_("Monthly sales before (THB)"), 16),
            (_("Monthly sales after (THB)"), 16),
            (_("Sales uplift (%)"), 12),
        ]

    def queryset(self, filters, *, using="default"):
        if filters.programme:
            # The programme's own rule of which records count (products enrolled, work
            # started once their intake opened), read through the snapshot.
            upgrades = counted_upgrades(filters.programme).using(using)
        else:
            upgrades = UpgradeRecord.objects.using(using)
        upgrades = upgrades.filter(filters.place("product__enterprise"))
        if filters.area:
            upgrades = upgrades.filter(area=filters.area)
        if filters.stage:
            upgrades = upgrades.filter(stage=filters.stage)
        start, end = filters.period()
        if start:
            upgrades = upgrades.filter(started_on__gte=start)
        if end:
            upgrades = upgrades.filter(started_on__lt=end)
        return (
            upgrades.with_uplift()
            .order_by("pk")
            .values_list(
                "pk",
                bilingual("product__name"),
                bilingual("product__category__name"),
                bilingual("product__enterprise__name"),
                bilingual("product__enterprise__province__name"),
                bilingual("product__enterprise__district__name"),
                "area",
                "stage",
                "summary",
                # One character more than a row keeps, so shorten() knows it was cut.
                Substr("what_changed", 1, WHAT_CHANGED_LENGTH + 1),
                # As UpgradeRecord.expert_label: the portal user's name, else the typed one.
                Coalesce(NullIf(F("expert__full_name"), Value("")), F("expert_name")),
                "started_on",
                "completed_on",
                "price_before",
                "price_after",
                "price_uplift",
                "monthly_sales_before",
                "monthly_sales_after",
                "sales_uplift",
            )
        )

    def row(self, values):
        values = list(values)
        values[6] = area_label(values[6])
        values[7] = stage_label(values[7])
        values[9] = shorten(values[9])
        # Rounded in SQL already; SQLite hands the result back with fifteen digits.
        for index in (15, 18):
            if values[index] is not None:
                values[index] = values[index].quantize(ONE_DECIMAL)
        return values
