"""Forms officers use to run partners, programmes and intakes; the services do the writing."""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entrepreneurs.models import EnterpriseKind, Province
from products.models import Category
from toolkit.fields import BEDateField
from toolkit.widgets import FilterableCheckboxSelectMultiple

from .models import EnrolmentAnswer, Intake, IntakeQuestion, Partner, Programme, ProgrammePartner
from .services import places_taken

# No B.E. fiscal year the portal records is earlier, and a C.E. year is always below it.
FISCAL_YEAR_MIN = 2500
FISCAL_YEAR_MAX = 2800


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name_th", "name_en", "kind", "country"]
        help_texts = {"country": _("Two letters, for example TH, JP or DE.")}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise forms.ValidationError(
                _("Give the country as its two-letter ISO code, for example TH, JP or DE.")
            )
        return country


class ProgrammeForm(forms.ModelForm):
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (B.E.)"),
        help_text=_("In the Buddhist Era, for example 2570."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Programme
        fields = [
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "fiscal_year",
            "policy",
            "lead_agency",
            "target_enterprises",
            "target_design",
            "target_standards",
            "target_usability",
            "target_innovation",
            "target_revenue_uplift",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"policy": _("For example DIPROM CARE.")}

    def clean_fiscal_year(self):
        year = self.cleaned_data["fiscal_year"]
        if not FISCAL_YEAR_MIN <= year <= FISCAL_YEAR_MAX:
            raise forms.ValidationError(
                _("Give the fiscal year in the Buddhist Era (B.E.), for example %(year)s.")
                % {"year": FISCAL_YEAR_MIN + 70}
            )
        return year


class ProgrammePartnerForm(forms.ModelForm):
    class Meta:
        model = ProgrammePartner
        fields = ["partner", "role", "agreement_reference"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean(self):
        cleaned = super().clean()
        partner, role = cleaned.get("partner"), cleaned.get("role")
        if partner and role and self.programme.partnerships.filter(partner=partner, role=role):
            raise forms.ValidationError(_("This partner already has this role in the programme."))
        return cleaned


class IntakeForm(forms.ModelForm):
    """An intake's window as a B.E. date and a time, its places and who may apply."""

    opens_on = BEDateField(label=_("Applications open on"))
    opens_time = forms.TimeField(
        label=_("at"),
        initial=dt.time(8, 30),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    closes_on = BEDateField(label=_("Applications close on"))
    closes_time = forms.TimeField(
        label=_("at"),
        initial=dt.time(16, 30),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        error_messages={"min_value": _("An intake has at least one place.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    eligible_provinces = forms.ModelMultipleChoiceField(
        label=_("Provinces"),
        queryset=Province.objects.none(),
        required=False,
        help_text=_("Tick none for every province."),
        widget=FilterableCheckboxSelectMultiple(
            filter_label=_("Find a province"),
            none_chosen=_("None chosen: every province may apply."),
        ),
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Kinds of enterprise"),
        choices=EnterpriseKind.choices,
        required=False,
        help_text=_("Tick none for every kind."),
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_categories = forms.ModelMultipleChoiceField(
        label=_("Product categories"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("Tick none for every category. A group includes its types."),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Intake
        fields = [
            "name_th",
            "name_en",
            "capacity",
            "verified_only",
            "eligible_provinces",
            "eligible_kinds",
            "eligible_categories",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligible_provinces"].queryset = Province.objects.home_first()
        self.fields["eligible_categories"].queryset = Category.objects.select_related("parent")
        if self.instance.pk:
            opens = timezone.localtime(self.instance.opens_at)
            closes = timezone.localtime(self.instance.closes_at)
            self.initial.update(
                opens_on=opens.date(),
                opens_time=opens.time().replace(second=0, microsecond=0),
                closes_on=closes.date(),
                closes_time=closes.time().replace(second=0, microsecond=0),
            )

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            taken = places_taken(self.instance)
            if capacity < taken:
                raise forms.ValidationError(
                    _("%(taken)s places are taken already; the capacity cannot be less.")
                    % {"taken": taken}
                )
        return capacity

    def clean(self):
        cleaned = super().clean()
        parts = [
            cleaned.get(name) for name in ("opens_on", "opens_time", "closes_on", "closes_time")
        ]
        if all(part is not None for part in parts):
            opens_at = timezone.make_aware(dt.datetime.combine(parts[0], parts[1]))
            closes_at = timezone.make_aware(dt.datetime.combine(parts[2], parts[3]))
            if closes_at <= opens_at:
                self.add_error("closes_on", _("Applications must close after they open."))
            else:
                self.instance.opens_at = opens_at
                self.instance.closes_at = closes_at
        return cleaned


class QuestionForm(forms.ModelForm):
    class Meta:
        model = IntakeQuestion
        fields = ["text_th", "text_en", "required"]


class BaseQuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        removed = [f.instance.pk for f in self.deleted_forms if f.instance.pk]
        if removed and EnrolmentAnswer.objects.filter(question__in=removed).exists():
            raise forms.ValidationError(
                _("Applicants have answered a question you removed; it has to stay.")
            )

    def kept(self):
        """The questions to keep, in the order shown, new ones unsaved."""
        deleted = set(self.deleted_forms)
        return [
            form.instance
            for form in self.forms
            if form not in deleted and (form.instance.pk or form.has_changed())
        ]

    def removed(self):
        return [form.instance for form in self.deleted_forms if form.instance.pk]


QuestionFormSet = forms.inlineformset_factory(
    Intake,
    IntakeQuestion,
    form=QuestionForm,
    formset=BaseQuestionFormSet,
    extra=2,
    can_delete=True,
)
