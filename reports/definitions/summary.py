"""Programme summary: one programme's results against its targets, printed as a PDF.

The figures are the programme dashboard's (programmes.selectors), read from the worker's
snapshot: enterprises enrolled, products upgraded per area and the monthly-sales uplift
against the programme's targets; applications by state, places per intake and enrolled
enterprises by district; each as a table and as a bar chart drawn in SVG.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from products.models import UpgradeArea
from programmes.models import Programme, ProgrammePartner
from programmes.selectors import (
    applications_by_state,
    enterprises_by_district,
    intakes_with_places,
    percent,
    sales_uplift,
    upgrades_by_area,
)
from toolkit.pdf import print_pdf
from toolkit.svgcharts import bar_chart
from toolkit.thaidates import format_date, format_fiscal_year

from ..base import Report, register
from ..models import ReportFormat

# Indicators of each programme: enterprises, the four areas, the sales uplift.
KPI_ROWS = 2 + len(UpgradeArea.values)

AREA_INDICATORS = {
    UpgradeArea.DESIGN: gettext_lazy("Products upgraded in design"),
    UpgradeArea.STANDARDS: gettext_lazy("Products upgraded in standards"),
    UpgradeArea.USABILITY: gettext_lazy("Products upgraded in usability"),
    UpgradeArea.INNOVATION: gettext_lazy("Products upgraded in innovation"),
}


@register
class ProgrammeSummaryReport(Report):
    slug = "programme_summary"
    title = gettext_lazy("Programme summary")
    description = gettext_lazy(
        "One programme's results against its targets, with charts, as a PDF: choose the "
        "programme under Filters."
    )
    formats = (ReportFormat.PDF,)
    personal_data = False
    filters = ("programme", "fiscal_year")
    # The request form asks for these (reports.forms); a job without a programme covers
    # every programme of its fiscal year.
    required_filters = ("programme",)

    def programmes(self, filters, *, using="default"):
        programmes = Programme.objects.using(using)
        if filters.programme:
            programmes = programmes.filter(pk=filters.programme)
        if filters.fiscal_year:
            programmes = programmes.filter(fiscal_year=filters.fiscal_year)
        return programmes

    def count(self, filters, *, using="default"):
        return self.programmes(filters, using=using).count() * KPI_ROWS

    def write_pdf(self, filters, out, *, using="default", progress=None):
        sections = []
        for programme in self.programmes(filters, using=using):
            sections.append(programme_section(programme, using=using))
            if progress is not None:
                progress.advance(KPI_ROWS)
        html = render_to_string(
            "reports/pdf/programme_summary.html",
            {
                "sections": sections,
                "language": translation.get_language(),
                "printed_on": format_date(timezone.now()),
            },
        )
        print_pdf(html, stylesheet="reports/pdf/programme_summary.css", target=out)
        return len(sections) * KPI_ROWS


def indicator(label, result, target):
    return {
        "label": label,
        "result": result,
        "target": target,
        "percent": percent_of(result, target),
    }


def percent_of(result, target):
    return None if result is None else percent(result, target)


def programme_section(programme, *, using):
    """Everything the PDF shows of one programme; a fixed number of queries."""
    partners = [
        (partnership.partner.name, partnership.get_role_display())
        for partnership in ProgrammePartner.objects.using(using)
        .filter(programme=programme)
        .select_related("partner")
        .order_by("role", "partner__name_th")
    ]
    states = applications_by_state(programme, using=using)
    intakes = intakes_with_places(programme, using=using)
    districts = enterprises_by_district(programme, using=using)
    areas = upgrades_by_area(programme, using=using)
    sales = sales_uplift(programme, using=using)
    enrolled = sum(n for _name, n in districts)
    counted = [indicator(_("Enterprises enrolled"), enrolled, programme.target_enterprises)]
    counted += [
        indicator(AREA_INDICATORS[area], done, target)
        for area, (_label, done, target) in zip(UpgradeArea.values, areas, strict=True)
    ]
    uplift = indicator(
        _("Monthly sales uplift (%)"), sales["uplift"], programme.target_revenue_uplift
    )
    result, target = _("Result"), _("Target")
    return {
        "programme": programme,
        "fiscal_year": format_fiscal_year(programme.fiscal_year),
        "partners": partners,
        "counted": counted,
        "uplift": uplift,
        "sales": sales,
        "states": states,
        "total_applications": sum(n for _label, n in states),
        "intakes": intakes,
        "districts": districts,
        "enrolled": enrolled,
        "charts": {
            "targets": bar_chart(
                [row["label"] for row in counted],
                (result, [row["result"] for row in counted]),
                (target, [row["target"] for row in counted]),
                title=_("Results against targets"),
            ),
            "states": bar_chart(
                [label for label, _n in states],
                (_("Applications"), [n for _label, n in states]),
                title=_("Applications by state"),
            ),
            "places": bar_chart(
                [intake.name for intake in intakes],
                (_("Places taken"), [intake.places_taken_count for intake in intakes]),
                (_("Places"), [intake.capacity for intake in intakes]),
                title=_("Places taken against capacity"),
            ),
            "districts": bar_chart(
                [name for name, _n in districts],
                (_("Enterprises"), [n for _name, n in districts]),
                title=_("Enrolled enterprises by district"),
            ),
        },
    }
