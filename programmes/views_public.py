"""Programme pages anyone may read: active and recently closed programmes and their intakes."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from toolkit.public_pages import cache_public_page

from .models import PROGRAMME_DATA, Intake, PartnerRole, Programme

PAGE_SIZE = 20


@cache_public_page(PROGRAMME_DATA)
def programme_list(request):
    """Active programmes (and those closed lately), each with its open intakes."""
    now = timezone.now()
    open_intakes = Intake.objects.open(now).with_rules().with_places_taken().order_by("closes_at")
    programmes = Programme.objects.listed(now).prefetch_related(
        Prefetch("intakes", queryset=open_intakes, to_attr="open_intakes")
    )
    page_obj = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "programmes/programme_list.html", {"page_obj": page_obj, "now": now})


def programme_detail(request, pk):
    """A programme with its partners and intakes; drafts and archived ones only for officers."""
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    intakes = programme.intakes.with_rules().with_places_taken().order_by("-closes_at")
    # The lead agency is named once: not again as the lead partner of the same name.
    partnerships = [
        p
        for p in programme.partnerships.select_related("partner")
        if not (
            p.role == PartnerRole.LEAD
            and programme.lead_agency.strip() in (p.partner.name_th, p.partner.name_en)
        )
    ]
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "partnerships": partnerships,
            "intakes": intakes,
            "now": timezone.now(),
        },
    )


def intake_detail(request, pk):
    """An intake's window, places, eligibility and questions, with the way to apply."""
    visible = Programme.objects.visible_to(request.user)
    intake = get_object_or_404(
        Intake.objects.filter(programme__in=visible)
        .select_related("programme")
        .with_rules()
        .with_places_taken(),
        pk=pk,
    )
    return render(
        request,
        "programmes/intake_detail.html",
        {
            "intake": intake,
            "programme": intake.programme,
            "questions": intake.questions.all(),
            "now": timezone.now(),
        },
    )
