"""Officers' pages: partners, programmes with their partners and states, intakes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import role_required
from toolkit.thaisort import thai_order

from . import services
from .exceptions import EnrolmentError
from .forms_manage import (
    IntakeForm,
    PartnerForm,
    ProgrammeForm,
    ProgrammePartnerForm,
    QuestionFormSet,
)
from .models import Intake, Partner, Programme, ProgrammePartner, ProgrammeStatus

officer_required = role_required(Role.OFFICER)

PAGE_SIZE = 25


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Partners --------------------------------------------------------------------------


@officer_required
def partner_list(request):
    partners = Partner.objects.annotate(
        programme_count=Count("partnerships__programme", distinct=True)
    ).order_by(thai_order("name_th"), "pk")
    return render(request, "programmes/partner_list.html", {"page_obj": _page(request, partners)})


def _partner_form(request, partner):
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_partner(partner=form.save(commit=False), by=request.user)
        except EnrolmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The partner is saved."))
            return redirect("programmes:partner_list")
    saved = Partner.objects.get(pk=partner.pk) if partner.pk else None
    return render(request, "programmes/partner_form.html", {"form": form, "partner": saved})


@officer_required
def partner_create(request):
    return _partner_form(request, Partner())


@officer_required
def partner_update(request, pk):
    return _partner_form(request, get_object_or_404(Partner, pk=pk))


# --- Programmes ------------------------------------------------------------------------


@officer_required
def programme_manage_list(request):
    """Every programme, drafts and archived ones too, optionally of one state."""
    programmes = Programme.objects.annotate(intake_count=Count("intakes")).order_by(
        "-fiscal_year", thai_order("title_th"), "pk"
    )
    status = request.GET.get("status", "")
    if status in ProgrammeStatus.values:
        programmes = programmes.filter(status=status)
    return render(
        request,
        "programmes/programme_manage_list.html",
        {
            "page_obj": _page(request, programmes),
            "statuses": ProgrammeStatus.choices,
            "status": status,
        },
    )


def _programme_form(request, programme):
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.save_programme(programme=form.save(commit=False), by=request.user)
        except EnrolmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("programmes:programme_manage", programme.pk)
    saved = Programme.objects.get(pk=programme.pk) if programme.pk else None
    return render(request, "programmes/programme_form.html", {"form": form, "programme": saved})


@officer_required
def programme_create(request):
    return _programme_form(request, Programme())


@officer_required
def programme_update(request, pk):
    return _programme_form(request, get_object_or_404(Programme, pk=pk))


def _manage_page(request, programme, *, partner_form=None):
    context = {
        "programme": programme,
        "moves": [ProgrammeStatus(s) for s in services.next_programme_statuses(programme)],
        "partnerships": programme.partnerships.select_related("partner"),
        "intakes": programme.intakes.with_places_taken().order_by("opens_at"),
        "editable": programme.status != ProgrammeStatus.ARCHIVED,
        "partner_form": partner_form or ProgrammePartnerForm(programme=programme),
    }
    return render(request, "programmes/programme_manage.html", context)


@officer_required
def programme_manage(request, pk):
    """The officer's page of one programme: state buttons, partners, intakes."""
    return _manage_page(request, get_object_or_404(Programme, pk=pk))


@require_POST
@officer_required
def programme_status(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    status = request.POST.get("status", "")
    # Archiving cannot be undone, so it is asked first; the other moves can be reversed.
    allowed = services.next_programme_statuses(programme)
    if status == ProgrammeStatus.ARCHIVED and status in allowed and not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Archive %(name)s?") % {"name": programme.title},
            details=_(
                "An archived programme is hidden from the public and can no longer be changed. "
                "This cannot be undone."
            ),
            confirm_label=_("Archive the programme"),
            cancel_url=reverse("programmes:programme_manage", args=[programme.pk]),
            extra_fields={"status": status},
        )
    try:
        programme = services.set_programme_status(
            programme=programme, by=request.user, status=status
        )
    except EnrolmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The programme is now %(status)s.") % {"status": programme.get_status_display()},
        )
    return redirect("programmes:programme_manage", programme.pk)


@require_POST
@officer_required
def programme_partner_add(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    form = ProgrammePartnerForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            services.add_programme_partner(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except EnrolmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The partner is added to the programme."))
            return redirect("programmes:programme_manage", programme.pk)
    return _manage_page(request, programme, partner_form=form)


@require_http_methods(["GET", "POST"])
@officer_required
def programme_partner_remove(request, pk, partnership_pk):
    partnership = get_object_or_404(
        ProgrammePartner.objects.select_related("partner", "programme"),
        pk=partnership_pk,
        programme_id=pk,
    )
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Remove %(partner)s from %(programme)s?")
            % {"partner": partnership.partner.name, "programme": partnership.programme.title},
            details=_("The partner stays in the list of partners and can be added again."),
            confirm_label=_("Remove the partner"),
            cancel_url=reverse("programmes:programme_manage", args=[pk]),
        )
    try:
        services.remove_programme_partner(partnership=partnership, by=request.user)
    except EnrolmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The partner is removed from the programme."))
    return redirect("programmes:programme_manage", pk)


# --- Intakes ---------------------------------------------------------------------------


def _intake_form(request, intake):
    form = IntakeForm(request.POST or None, instance=intake)
    questions = QuestionFormSet(request.POST or None, instance=intake, prefix="questions")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        try:
            intake = services.save_intake(
                intake=form.save(commit=False),
                by=request.user,
                provinces=form.cleaned_data["eligible_provinces"],
                categories=form.cleaned_data["eligible_categories"],
                questions=questions.kept(),
                removed_questions=questions.removed(),
            )
        except EnrolmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The intake is saved."))
            return redirect("programmes:programme_manage", intake.programme_id)
    return render(
        request,
        "programmes/intake_form.html",
        {
            "form": form,
            "questions": questions,
            "programme": intake.programme,
            "intake": Intake.objects.get(pk=intake.pk) if intake.pk else None,
        },
    )


@officer_required
def intake_create(request, pk):
    programme = get_object_or_404(Programme.objects.exclude(status=ProgrammeStatus.ARCHIVED), pk=pk)
    return _intake_form(request, Intake(programme=programme))


@officer_required
def intake_update(request, pk):
    intake = get_object_or_404(
        Intake.objects.select_related("programme").exclude(
            programme__status=ProgrammeStatus.ARCHIVED
        ),
        pk=pk,
    )
    return _intake_form(request, intake)
