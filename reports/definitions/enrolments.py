"""Enrolments: every application with its programme, intake, enterprise, area and state."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entrepreneurs.models import EnterpriseKind
from programmes.models import Enrolment, EnrolmentStatus

from ..base import Report, bilingual, choice_label, register

kind_label = choice_label(EnterpriseKind.choices)
status_label = choice_label(EnrolmentStatus.choices)


@register
class EnrolmentReport(Report):
    slug = "enrolments"
    title = gettext_lazy("Enrolments")
    description = gettext_lazy(
        "Every application: programme, intake, enterprise, province and district, state and dates."
    )
    personal_data = True
    filters = (
        "programme",
        "intake",
        "fiscal_year",
        "province",
        "district",
        "date_from",
        "date_to",
        "state",
    )

    def columns(self):
        return [
            (_("Application no."), 12),
            (_("Programme"), 40),
            (_("Fiscal year (B.E.)"), 10),
            (_("Intake"), 30),
            (_("Enterprise"), 40),
            (_("Kind"), 24),
            (_("Registration code"), 16),
            (_("Province"), 18),
            (_("District"), 18),
            (_("State"), 16),
            (_("Submitted"), 18),
            (_("Decided"), 18),
        ]

    def queryset(self, filters, *, using="default"):
        enrolments = Enrolment.objects.using(using).exclude(status=EnrolmentStatus.DRAFT)
        if filters.programme:
            enrolments = enrolments.filter(intake__programme_id=filters.programme)
        if filters.intake:
            enrolments = enrolments.filter(intake_id=filters.intake)
        if filters.fiscal_year:
            enrolments = enrolments.filter(intake__programme__fiscal_year=filters.fiscal_year)
        enrolments = enrolments.filter(filters.place("enterprise"))
        if filters.state:
            enrolments = enrolments.filter(status=filters.state)
        start, end = filters.moments()
        if start:
            enrolments = enrolments.filter(submitted_at__gte=start)
        if end:
            enrolments = enrolments.filter(submitted_at__lt=end)
        return enrolments.order_by("pk").values_list(
            "pk",
            bilingual("intake__programme__title"),
            "intake__programme__fiscal_year",
            bilingual("intake__name"),
            bilingual("enterprise__name"),
            "enterprise__kind",
            "enterprise__registration_code",
            bilingual("enterprise__province__name"),
            bilingual("enterprise__district__name"),
            "status",
            "submitted_at",
            "decided_at",
        )

    def row(self, values):
        values = list(values)
        values[5] = kind_label(values[5])
        values[9] = status_label(values[9])
        return values
