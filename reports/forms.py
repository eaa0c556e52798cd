import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entrepreneurs.models import District, EnterpriseKind, Province, VerificationStatus
from products.models import UpgradeArea, UpgradeStage
from programmes.models import EnrolmentStatus, Intake, Programme
from toolkit.fields import BEDateField
from toolkit.thaidates import fiscal_year, format_date, format_fiscal_year

from .filters import ReportFilters
from .models import ReportFormat
from .rules import reports_for

# Fiscal years offered: from the first the portal served to the next one.
FIRST_FISCAL_YEAR = 2566
# The days a report's period may name (B.E. 2500 to 2700, as the lists' fiscal-year
# filters): a date typed as 01/01/0001 fails the job in the worker (its moment in UTC is
# before year 1), and a lab report from year 1000 runs a query for each of 12,000 months.
FIRST_DAY = datetime.date(1957, 1, 1)
LAST_DAY = datetime.date(2157, 12, 31)


class ReportRequestForm(forms.Form):
    """Which report, in which format, with which filters; filters a report ignores are dropped."""

    report = forms.ChoiceField(label=_("Report"), widget=forms.RadioSelect)
    format = forms.ChoiceField(
        label=_("Format"), choices=ReportFormat.choices, widget=forms.RadioSelect
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("Every programme"),
    )
    intake = forms.ModelChoiceField(
        label=_("Intake"),
        queryset=Intake.objects.none(),
        required=False,
        empty_label=_("Every intake"),
    )
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), coerce=int, required=False, empty_value=None
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        required=False,
        empty_label=_("Every province"),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Every district"),
    )
    date_from = BEDateField(label=_("From"), required=False)
    date_to = BEDateField(label=_("Until"), required=False)
    state = forms.ChoiceField(
        label=_("Application state"),
        choices=[("", _("Every state"))]
        + [c for c in EnrolmentStatus.choices if c[0] != EnrolmentStatus.DRAFT],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Enterprise kind"),
        choices=[("", _("Every kind"))] + EnterpriseKind.choices,
        required=False,
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        choices=[("", _("Every verification state"))] + VerificationStatus.choices,
        required=False,
    )
    area = forms.ChoiceField(
        label=_("Upgrade area"),
        choices=[("", _("Every area"))] + UpgradeArea.choices,
        required=False,
    )
    stage = forms.ChoiceField(
        label=_("Upgrade stage"),
        choices=[("", _("Every stage"))] + UpgradeStage.choices,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = {report.slug: report for report in reports_for(user)}
        self.fields["report"].choices = [
            (slug, report.title) for slug, report in self.reports.items()
        ]
        self.fields["programme"].queryset = Programme.objects.all()
        self.fields["intake"].queryset = Intake.objects.select_related("programme").order_by(
            "-programme__fiscal_year", "programme_id", "opens_at"
        )
        self.fields["intake"].label_from_instance = lambda intake: (
            f"{intake.programme.title} — {intake.name}"
        )
        this_year = fiscal_year(timezone.localdate())
        self.fields["fiscal_year"].choices = [("", _("Any fiscal year"))] + [
            (year, format_fiscal_year(year))
            for year in range(this_year + 1, FIRST_FISCAL_YEAR - 1, -1)
        ]
        self.fields["province"].queryset = Province.objects.home_first()
        province = self.data.get("province") if self.is_bound else None
        district = self.data.get("district") if self.is_bound else None
        if district and not province:
            province = district[:2]
        self.fields["district"].queryset = District.objects.filter(
            province_id=province or ""
        ).by_name()
        self.fields["district"].error_messages["invalid_choice"] = _(
            "This district is not in the province you chose. Choose the district again."
        )
        self.fields["province"].widget.attrs.update(
            {
                "hx-get": reverse("entrepreneurs:districts"),
                "hx-target": "#id_district",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )

    def clean(self):
        cleaned = super().clean()
        report = self.reports.get(cleaned.get("report"))
        fmt = cleaned.get("format")
        if report and fmt and fmt not in report.formats:
            labels = ", ".join(str(ReportFormat(f).label) for f in report.formats)
            self.add_error(
                "format",
                _("“%(report)s” comes as %(formats)s.")
                % {"report": report.title, "formats": labels},
            )
        # A report may need some filters (Report.required_filters): one programme's summary.
        for name in report.required_filters if report else ():
            if name in self.fields and not cleaned.get(name) and name not in self.errors:
                self.add_error(
                    name,
                    _("“%(report)s” needs this filter: choose one.") % {"report": report.title},
                )
        intake, programme = cleaned.get("intake"), cleaned.get("programme")
        if intake and programme and intake.programme_id != programme.pk:
            self.add_error("intake", _("This intake belongs to another programme."))
        district, province = cleaned.get("district"), cleaned.get("province")
        if district and province and district.province_id != province.pk:
            self.add_error(
                "district",
                _("This district is not in the province you chose. Choose the district again."),
            )
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(
                    name,
                    _("Enter a date from %(first)s to %(last)s.")
                    % {"first": format_date(FIRST_DAY), "last": format_date(LAST_DAY)},
                )
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day comes before the first."))
        return cleaned

    @property
    def chosen_report(self):
        return self.reports[self.cleaned_data["report"]]

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        district = data.get("district")
        province = data.get("province")
        return ReportFilters(
            programme=data["programme"].pk if data.get("programme") else None,
            intake=data["intake"].pk if data.get("intake") else None,
            fiscal_year=data.get("fiscal_year"),
            province=province.pk if province else (district.province_id if district else ""),
            district=district.pk if district else "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            state=data.get("state", ""),
            kind=data.get("kind", ""),
            verification=data.get("verification", ""),
            area=data.get("area", ""),
            stage=data.get("stage", ""),
        ).only(self.chosen_report.filters)
