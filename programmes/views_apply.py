"""The applicant's side: apply to an intake, follow the application, withdraw it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from entrepreneurs.models import Enterprise
from entrepreneurs.rules import is_enterprise_member
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import role_required
from toolkit.thaisort import thai_order

from . import selectors, services
from .exceptions import EnrolmentError, NotEligible
from .forms_apply import SUBMIT, ApplicationForm, products_left_out
from .models import OPEN_STATES, Enrolment, EnrolmentStatus, Intake, Programme

S = EnrolmentStatus
EDITABLE = (S.DRAFT, S.RETURNED)

# Any signed-in person, with two-factor sign-in for the roles that need it; what they
# reach is decided by scoping each query to them (404 otherwise).
signed_in = role_required(*Role.values)


def _submitted_message(request, enrolment):
    if enrolment.status == S.WAITLISTED:
        messages.warning(
            request,
            _(
                "Your application is submitted. Every place is taken, so it is number "
                "%(position)s on the waitlist; it is accepted automatically when a place "
                "becomes free."
            )
            % {"position": services.waitlist_position(enrolment)},
        )
    else:
        messages.success(request, _("Your application is submitted. An officer will review it."))


def _add_refusal(form, error):
    for reason in getattr(error, "reasons", None) or [error.message]:
        form.add_error(None, reason)


@signed_in
def intake_apply(request, pk):
    """Choose the applying enterprise, its products and answers; save a draft or submit."""
    intake = get_object_or_404(
        Intake.objects.select_related("programme").filter(programme__in=Programme.objects.public()),
        pk=pk,
    )
    enterprises = list(
        Enterprise.objects.belonging_to(request.user).order_by(thai_order("name_th"), "pk")
    )
    context = {"intake": intake, "programme": intake.programme, "enterprises": enterprises}
    chosen = request.GET.get("enterprise")
    if chosen:
        enterprise = next((e for e in enterprises if str(e.pk) == chosen), None)
        if enterprise is None:
            raise Http404
    elif len(enterprises) == 1:
        enterprise = enterprises[0]
    else:
        # None registered yet, or several to choose from.
        applied = {e.enterprise_id: e for e in intake.enrolments.filter(enterprise__in=enterprises)}
        context["choices"] = [(e, applied.get(e.pk)) for e in enterprises]
        return render(request, "programmes/intake_apply_choose.html", context)

    enrolment = intake.enrolments.filter(enterprise=enterprise).first()
    if enrolment and enrolment.status not in EDITABLE:
        messages.info(request, _("Your enterprise has already applied to this intake."))
        return redirect(enrolment)
    context.update(enterprise=enterprise, enrolment=enrolment, now=timezone.now())
    if not intake.is_open():
        return render(request, "programmes/intake_apply_closed.html", context)
    reasons = services.eligibility_reasons(intake=intake, enterprise=enterprise)
    if reasons:
        context["reasons"] = reasons
        return render(request, "programmes/intake_apply_refused.html", context)

    submitting = request.POST.get("action") == SUBMIT
    form = ApplicationForm(
        request.POST or None,
        intake=intake,
        enterprise=enterprise,
        enrolment=enrolment,
        submitting=submitting,
    )
    if request.method == "POST" and form.is_valid():
        try:
            # Submitting saves and submits together: a refused submission changes nothing.
            with transaction.atomic():
                enrolment = services.save_application(
                    intake=intake,
                    enterprise=enterprise,
                    by=request.user,
                    products=form.cleaned_data["products"],
                    answers=form.answers(),
                )
                if submitting:
                    enrolment = services.submit_application(enrolment=enrolment, by=request.user)
        except EnrolmentError as error:
            _add_refusal(form, error)
        else:
            if submitting:
                _submitted_message(request, enrolment)
            else:
                messages.success(
                    request,
                    _("Your draft is saved. Submit it before the application window closes."),
                )
            return redirect(enrolment)
    context.update(form=form, left_out=products_left_out(intake, enterprise))
    return render(request, "programmes/intake_apply.html", context)


def _applicant_enrolment(request, pk):
    return get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related(
            "intake__programme", "enterprise__district", "enterprise__province"
        ),
        pk=pk,
    )


@signed_in
def enrolment_detail(request, pk):
    """The application as its enterprise sees it: state, products, answers and history."""
    enrolment = _applicant_enrolment(request, pk)
    intake = enrolment.intake
    can_act = is_enterprise_member(request.user, enrolment.enterprise)
    context = {
        "enrolment": enrolment,
        "intake": intake,
        "programme": intake.programme,
        "position": services.waitlist_position(enrolment),
        "products": enrolment.products.select_related("category").with_cover(),
        "answers": enrolment.answers.select_related("question").order_by(
            "question__position", "question__pk"
        ),
        "events": enrolment.events.select_related("by"),
        "can_edit": can_act and enrolment.status in EDITABLE and intake.is_open(),
        "can_withdraw": can_act and enrolment.status in OPEN_STATES,
        "last_note": enrolment.events.exclude(note="").filter(to_status=enrolment.status).last(),
    }
    if enrolment.holds_place:
        context["upgrades"] = selectors.upgrades_counted(enrolment).order_by("-started_on", "-pk")
    return render(request, "programmes/enrolment_detail.html", context)


@require_POST
@signed_in
def enrolment_submit(request, pk):
    """Submit a complete draft from the application page."""
    enrolment = _applicant_enrolment(request, pk)
    if not is_enterprise_member(request.user, enrolment.enterprise):
        raise Http404
    try:
        enrolment = services.submit_application(enrolment=enrolment, by=request.user)
    except NotEligible as error:
        for reason in error.reasons:
            messages.error(request, reason)
    except EnrolmentError as error:
        messages.error(request, error.message)
    else:
        _submitted_message(request, enrolment)
    return redirect(enrolment)


@signed_in
def enrolment_withdraw(request, pk):
    """Ask to confirm (GET), then withdraw the application (POST)."""
    enrolment = _applicant_enrolment(request, pk)
    if not is_enterprise_member(request.user, enrolment.enterprise):
        raise Http404
    if enrolment.status not in OPEN_STATES:
        messages.info(request, _("This application is closed; there is nothing to withdraw."))
        return redirect(enrolment)
    if not is_confirmed(request):
        details = [
            _(
                "%(enterprise)s withdraws its application to %(intake)s. This cannot be undone, "
                "and the enterprise cannot apply to this intake again."
            )
            % {"enterprise": enrolment.enterprise.name, "intake": enrolment.intake.name}
        ]
        if enrolment.holds_place:
            details.append(_("Its place goes to the next enterprise on the waitlist."))
        return ask_to_confirm(
            request,
            question=_("Withdraw the application?"),
            details=details,
            confirm_label=_("Withdraw the application"),
            cancel_url=enrolment.get_absolute_url(),
        )
    try:
        services.withdraw_application(enrolment=enrolment, by=request.user)
    except EnrolmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect(enrolment)


@signed_in
def my_applications(request):
    """Every application of the enterprises a person belongs to, with its state."""
    page = Paginator(selectors.applications_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "programmes/my_applications.html", {"page": page})
