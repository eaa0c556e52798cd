"""Each person's home page: what they can do next, from every part of the portal.

It lives here because it reads from all apps and `reports` is the one app allowed to.
"""

from datetime import datetime, time, timedelta

from allauth.mfa.utils import is_mfa_enabled
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Invitation, Role
from entrepreneurs.models import REGISTRY_DATA, Enterprise, VerificationStatus
from products.models import Material, Product, UpgradeRecord
from programmes.models import (
    PROGRAMME_DATA,
    Enrolment,
    EnrolmentStatus,
    Intake,
    Programme,
    ProgrammeStatus,
)
from programmes.selectors import applications_of
from toolkit.pagination import cached_count
from toolkit.public_pages import cache_public_page
from toolkit.thaisort import thai_order
from toolkit.twofactor import session_passed_two_factor, two_factor_step
from training.models import (
    LIVE_STATES,
    Blackout,
    Booking,
    BookingStatus,
    Clearance,
    Resource,
    ResourceStatus,
)
from training.selectors_attendance import (
    LIVE_RUNS,
    my_certificates,
    my_courses,
    my_runs,
    sheets_to_fill,
    todays_sessions,
)

from .dashboard import officer_figures, officer_sections
from .models import ReportJob

# How many of one's lab bookings, clearances and bookable resources a home page shows.
HOME_LAB_ITEMS = 5
# How many of one's courses, certificates, runs taught and sheets to fill a home shows.
HOME_COURSE_ITEMS = 5

# How much of each the public landing page shows; the rest is one link away.
LANDING_INTAKES = 5
LANDING_PRODUCTS = 4

HOME_TEMPLATES = {
    Role.OFFICER: "home/officer.html",
    Role.CENTRE_STAFF: "home/centre_staff.html",
    Role.FACULTY: "home/faculty.html",
    Role.STUDENT: "home/student.html",
    Role.ENTREPRENEUR: "home/entrepreneur.html",
}


def entrepreneur_context(user):
    enterprises = list(
        Enterprise.objects.belonging_to(user)
        .with_place()
        .annotate(product_count=Count("products", distinct=True))
        .order_by(thai_order("name_th"))
    )
    products = list(
        Product.objects.filter(enterprise__in=[e.pk for e in enterprises])
        .select_related("enterprise", "category")
        .with_cover()
        .prefetch_related(
            Prefetch(
                "upgrades",
                queryset=UpgradeRecord.objects.order_by("-started_on", "-recorded_at"),
                to_attr="recent_upgrades",
            )
        )
        .order_by("-updated_at")[:12]
    )
    applications = list(applications_of(user)[:5])
    open_intakes = list(Intake.objects.open().select_related("programme").order_by("closes_at")[:5])
    return {
        # Entrepreneurs may hold clearances (prototypes on a kiln): shown like a student's.
        **lab_context(user),
        "enterprises": enterprises,
        "products": products,
        "applications": applications,
        "open_intakes": open_intakes,
    }


def courses_context(user):
    """The person's courses (next session, attendance so far) and certificates."""
    return {
        "my_courses": my_courses(user, limit=HOME_COURSE_ITEMS),
        "my_certificates": my_certificates(user, limit=HOME_COURSE_ITEMS),
    }


def teaching_context(user):
    """An instructor's runs, today's sessions and the sheets still to fill."""
    return {
        "taught_runs": list(my_runs(user).filter(status__in=LIVE_RUNS)[:HOME_COURSE_ITEMS]),
        "todays_sessions": list(todays_sessions(user)),
        "sheets_to_fill": list(sheets_to_fill(user)[:HOME_COURSE_ITEMS]),
    }


def upcoming_bookings(user, now=None):
    """The person's next live lab bookings."""
    now = now or timezone.now()
    return list(
        Booking.objects.filter(owner=user, status__in=LIVE_STATES, ends_at__gte=now)
        .select_related("resource")
        .order_by("starts_at", "pk")[:HOME_LAB_ITEMS]
    )


def lab_context(user):
    """A student's or faculty member's lab: next bookings, clearances, what they may book.

    Flat: one query each for bookings, clearances, the strictest lapse per clearance kind
    and the resources; each clearance's lapse date is worked out from those
    (as training.services.clearances.lapse_date does for one).
    """
    today = timezone.localdate()
    clearances = list(
        Clearance.objects.not_revoked()
        .filter(holder=user)
        .select_related("kind")
        .order_by("valid_until", "pk")
    )
    lapse_days = dict(
        Resource.objects.filter(
            required_clearance__in=[c.kind_id for c in clearances],
            clearance_lapse_days__isnull=False,
        )
        .values("required_clearance")
        .annotate(days=Min("clearance_lapse_days"))
        .values_list("required_clearance", "days")
    )
    for clearance in clearances:
        clearance.lapses = clearance.lapses_on(lapse_days.get(clearance.kind_id))
        clearance.lapses_early = clearance.lapses < clearance.valid_until
        clearance.current = clearance.lapses >= today
    held = {c.kind_id: c for c in clearances}
    resources = (
        Resource.objects.in_service()
        .bookable_by_role(user.role)
        .filter(Q(required_clearance__isnull=True) | Q(required_clearance__in=list(held)))
        .select_related("required_clearance")
    )
    bookable = [
        r
        for r in resources
        if r.required_clearance_id is None
        or held[r.required_clearance_id].lapses_on(r.clearance_lapse_days) >= today
    ]
    return {
        "lab_bookings": upcoming_bookings(user),
        "clearances": clearances[:HOME_LAB_ITEMS],
        "bookable_resources": bookable,
    }


def officer_context(user):
    """This fiscal year's figures (cached: reports.dashboard) and, live, what waits for
    the officer: applications to review, intakes closing, enterprises to verify."""
    figures = officer_figures()
    waiting = (
        Enterprise.objects.filter(status=VerificationStatus.UNVERIFIED)
        .with_place()
        .order_by("created_at", "pk")[:5]
    )
    return {
        "fiscal_year": figures["fiscal_year"],
        "figures_as_of": figures["computed_at"],
        "dashboard_sections": officer_sections(figures),
        "waiting_enterprises": waiting,
        "pending_invitations": Invitation.objects.pending().count(),
        "to_review": Enrolment.objects.filter(
            status__in=[EnrolmentStatus.SUBMITTED, EnrolmentStatus.UNDER_REVIEW]
        ).count(),
        "closing_intakes": Intake.objects.open()
        .select_related("programme")
        .order_by("closes_at")[:5],
        **reports_context(user),
    }


# How many ready reports a home lists; the rest are on the reports page.
HOME_REPORTS = 5


def reports_context(user):
    """The reports this person asked for (or joined) that are ready, and how many are coming."""
    mine = ReportJob.objects.asked_by(user)
    return {
        "ready_reports": list(mine.ready().order_by("-finished_at", "-pk")[:HOME_REPORTS]),
        "pending_report_count": mine.pending().count(),
    }


def landing_context():
    """What the public sees first: intakes open now, upgraded products, the headline numbers."""
    now = timezone.now()
    open_intakes = Intake.objects.open(now)
    return {
        "open_intakes": list(
            open_intakes.select_related("programme").order_by("closes_at")[:LANDING_INTAKES]
        ),
        "open_intake_count": open_intakes.count(),
        # The showcase's own reads: what it shows, and which of those were upgraded.
        "upgraded_products": list(Product.objects.showcase_cards().upgraded()[:LANDING_PRODUCTS]),
        # Cached until a service changes them (toolkit.pagination): 30-90 ms each at
        # national volume, more than the rest of the page.
        "enterprise_count": cached_count(
            Enterprise.objects.exclude(status=VerificationStatus.INACTIVE),
            depends_on=REGISTRY_DATA,
        ),
        "upgraded_product_count": cached_count(
            Product.objects.upgraded(), depends_on=REGISTRY_DATA
        ),
        "active_programme_count": Programme.objects.filter(status=ProgrammeStatus.ACTIVE).count(),
        "now": now,
    }


# How many of each list the centre staff home shows; the rest is on the lab's own pages.
STAFF_HOME_ROWS = 5
STAFF_HOME_NO_SHOW_DAYS = 7


def centre_staff_context(user):
    """The lab's day: whom to check in, what waits for approval, what is out of service."""
    context = {"material_count": Material.objects.count()}
    if not user.has_perm("training.run_lab"):
        return context
    now = timezone.now()
    day_start = timezone.make_aware(datetime.combine(timezone.localdate(), time(0)))
    day_end = day_start + timedelta(days=1)
    approved_today = Q(
        status=BookingStatus.APPROVED, starts_at__gte=day_start, starts_at__lt=day_end
    )
    requested = Q(status=BookingStatus.REQUESTED)
    recent_no_show = Q(
        status=BookingStatus.NO_SHOW,
        starts_at__gte=now - timedelta(days=STAFF_HOME_NO_SHOW_DAYS),
    )
    counts = Booking.objects.aggregate(
        to_check_in=Count("pk", filter=approved_today),
        pending=Count("pk", filter=requested),
        checked_in=Count("pk", filter=Q(status=BookingStatus.CHECKED_IN)),
        no_shows=Count("pk", filter=recent_no_show),
    )
    bookings = Booking.objects.select_related("resource", "owner")
    context.update(
        {
            "booking_counts": counts,
            "to_check_in": list(bookings.filter(approved_today).order_by("starts_at", "pk")[:10]),
            "pending_bookings": list(
                bookings.filter(requested).order_by("starts_at", "pk")[:STAFF_HOME_ROWS]
            ),
            "recent_no_shows": list(
                bookings.filter(recent_no_show).order_by("-starts_at", "-pk")[:STAFF_HOME_ROWS]
            ),
            "under_maintenance": list(Resource.objects.filter(status=ResourceStatus.MAINTENANCE)),
            "upcoming_blackouts": Blackout.objects.filter(ends_at__gt=now).count(),
            "no_show_days": STAFF_HOME_NO_SHOW_DAYS,
        }
    )
    return context


@cache_public_page(REGISTRY_DATA, PROGRAMME_DATA)
def landing(request):
    return render(request, "home/landing.html", landing_context())


def home(request):
    """The public landing page, or the signed-in person's own home."""
    user = request.user
    if not user.is_authenticated:
        return landing(request)
    has_device = user.needs_mfa and is_mfa_enabled(user)
    # Staff homes show staff figures: only to a session that passed two-factor sign-in.
    if has_device and not session_passed_two_factor(request):
        return two_factor_step(request)
    context = {
        "needs_mfa_setup": user.needs_mfa and not has_device,
        "recent_notifications": user.notifications.for_inbox()[:5],
    }
    if user.role == Role.ENTREPRENEUR:
        context.update(entrepreneur_context(user))
        context.update(courses_context(user))
    elif user.role == Role.OFFICER:
        # Only a session that passed two-factor sign-in reads the figures.
        if not context["needs_mfa_setup"]:
            context.update(officer_context(user))
    elif user.role == Role.CENTRE_STAFF:
        context.update(centre_staff_context(user))
        context.update(reports_context(user))
    elif user.role in (Role.STUDENT, Role.FACULTY):
        context.update(lab_context(user))
        context.update(courses_context(user))
        if user.role == Role.FACULTY:
            context.update(teaching_context(user))
            context.update(reports_context(user))
    return render(request, HOME_TEMPLATES.get(user.role, "home/landing.html"), context)
