import geothai
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.models import Role
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import role_required
from toolkit.models import AuditEntry
from toolkit.thaisort import thai_order

from . import services, validators
from .exceptions import EnterpriseError
from .forms import REFRESH_ADDRESS, EnterpriseForm, MemberForm, OfficerEnterpriseForm, StatusForm
from .models import District, Enterprise, Member, Subdistrict, VerificationStatus

# Any signed-in person, with two-factor sign-in for the roles that need it; which
# enterprises they reach is decided by scoping each query to them (404 otherwise).
signed_in = role_required(*Role.values)

# Place lists change only with a new geothai release.
PLACE_CACHE = cache_control(public=True, max_age=24 * 3600)


def _add_error(form, error: EnterpriseError):
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _address_refresh(request, form_class, **kwargs):
    """Without JavaScript the "show the next list" button re-draws the form, unsaved."""
    if REFRESH_ADDRESS not in request.POST:
        return None
    data = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    return form_class(initial=data, **kwargs)


def _show_warnings(request, warnings):
    for warning in warnings:
        messages.warning(request, warning)


# --- Address lists (htmx fragments) ----------------------------------------------------


def _place_options(
    request, places, *, selected=None, empty_label, loaded_event=None, announcement=""
):
    response = render(
        request,
        "entrepreneurs/_place_options.html",
        {
            "places": places,
            "selected": selected,
            "empty_label": empty_label,
            "announcement": announcement,
        },
    )
    if loaded_event:
        # The next list down reloads for its new (empty) value: no stale choices remain.
        trigger_client_event(response, loaded_event, after="swap")
    return response


@require_GET
@PLACE_CACHE
def districts(request):
    """<option>s of a province's districts (?province=52)."""
    code = request.GET.get("province", "")
    places = District.objects.filter(province_id=code).by_name() if code else []
    label = _("Choose a district") if code else _("Choose the province first")
    announcement = (
        ngettext(
            "District list updated: %(count)d district",
            "District list updated: %(count)d districts",
            len(places),
        )
        % {"count": len(places)}
        if code
        else ""
    )
    return _place_options(
        request,
        places,
        empty_label=label,
        loaded_event="districts-loaded",
        announcement=announcement,
    )


@require_GET
@PLACE_CACHE
def subdistricts(request):
    """<option>s of a district's subdistricts (?district=5203)."""
    code = request.GET.get("district", "")
    places = Subdistrict.objects.filter(district_id=code).by_name() if code else []
    label = _("Choose a subdistrict") if code else _("Choose the district first")
    announcement = (
        ngettext(
            "Subdistrict list updated: %(count)d subdistrict",
            "Subdistrict list updated: %(count)d subdistricts",
            len(places),
        )
        % {"count": len(places)}
        if code
        else ""
    )
    return _place_options(
        request,
        places,
        empty_label=label,
        loaded_event="subdistricts-loaded",
        announcement=announcement,
    )


@require_GET
@PLACE_CACHE
def postal_codes(request):
    """<option>s of a subdistrict's postal codes (?subdistrict=520301); one is preselected."""
    subdistrict = Subdistrict.objects.filter(code=request.GET.get("subdistrict", "")).first()
    codes = subdistrict.postal_code_list if subdistrict else []
    announcement = (
        ngettext(
            "Postal code list updated: %(count)d postal code",
            "Postal code list updated: %(count)d postal codes",
            len(codes),
        )
        % {"count": len(codes)}
        if subdistrict
        else ""
    )
    return render(
        request,
        "entrepreneurs/_postal_code_options.html",
        {
            "codes": codes,
            "selected": codes[0] if len(codes) == 1 else None,
            "announcement": announcement,
        },
    )


def data_credits(request):
    """Where the geography comes from, as its CC BY 4.0 licence asks."""
    return render(
        request, "entrepreneurs/data_credits.html", {"data_version": geothai.DATA_VERSION}
    )


# --- Enterprises -----------------------------------------------------------------------


@role_required(Role.ENTREPRENEUR, Role.OFFICER)
def enterprise_create(request):
    """An entrepreneur registers their enterprise; an officer may register one for someone."""
    officer = request.user.has_perm("entrepreneurs.register_enterprise_for_others")
    form_class = OfficerEnterpriseForm if officer else EnterpriseForm
    form = _address_refresh(request, form_class) or form_class(request.POST or None)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            enterprise, warnings = services.register_enterprise(
                by=request.user,
                data=form.cleaned_data,
                on_behalf_of=form.cleaned_data.get("on_behalf_of"),
            )
        except EnterpriseError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered. An officer will verify it.") % {"name": enterprise},
            )
            _show_warnings(request, warnings)
            return redirect(enterprise)
    return render(request, "entrepreneurs/enterprise_form.html", {"form": form})


def _detail_context(request, enterprise, *, status_form=None):
    user = request.user
    choices = [
        (status, VerificationStatus(status).label) for status in services.next_statuses(enterprise)
    ]
    can_decide = bool(choices) and user.has_perm("entrepreneurs.set_enterprise_status", enterprise)
    history = (
        AuditEntry.objects.filter(
            target_type=Enterprise._meta.label_lower,
            target_id=str(enterprise.pk),
            action__in=["enterprise.registered", "enterprise.status_changed"],
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    can_edit = user.has_perm("entrepreneurs.edit_enterprise", enterprise)
    members = list(enterprise.members.select_related("user"))
    account_holders = [m.user_id for m in members if m.user_id]
    # The only account holder cannot remove themselves: no button that can only refuse.
    removable = {
        m.pk
        for m in members
        if can_edit and not (m.user_id == user.pk and len(account_holders) == 1)
    }
    return {
        "enterprise": enterprise,
        "members": members,
        "removable": removable,
        "products": enterprise.products.all(),
        "history": [
            {
                "entry": entry,
                "status_label": VerificationStatus(entry.data["status"]).label
                if "status" in entry.data
                else None,
            }
            for entry in history
        ],
        "code_warning": validators.registration_code_warning(enterprise.registration_code),
        "can_edit": can_edit,
        "status_form": (status_form or StatusForm(choices=choices)) if can_decide else None,
    }


@signed_in
def enterprise_detail(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).with_place(), pk=pk)
    return render(
        request, "entrepreneurs/enterprise_detail.html", _detail_context(request, enterprise)
    )


@signed_in
def enterprise_update(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.editable_by(request.user), pk=pk)
    form = _address_refresh(request, EnterpriseForm, instance=enterprise) or EnterpriseForm(
        request.POST or None, instance=enterprise
    )
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            enterprise, warnings = services.update_enterprise(
                enterprise=enterprise, by=request.user, data=form.cleaned_data
            )
        except EnterpriseError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The enterprise's details are saved."))
            _show_warnings(request, warnings)
            return redirect(enterprise)
    # A failed form changed the instance in memory; the heading shows the saved name.
    saved = Enterprise.objects.get(pk=enterprise.pk)
    return render(
        request, "entrepreneurs/enterprise_form.html", {"form": form, "enterprise": saved}
    )


@signed_in
def member_add(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.editable_by(request.user), pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(
                enterprise=enterprise, by=request.user, **form.cleaned_data
            )
        except EnterpriseError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": member.full_name})
            return redirect(enterprise)
    return render(
        request, "entrepreneurs/member_form.html", {"form": form, "enterprise": enterprise}
    )


@require_http_methods(["GET", "POST"])
@signed_in
def member_remove(request, pk, member_pk):
    enterprise = get_object_or_404(Enterprise.objects.editable_by(request.user), pk=pk)
    member = get_object_or_404(Member, pk=member_pk, enterprise=enterprise)
    if not is_confirmed(request):
        details = [
            _("The person is no longer listed as a member of %(enterprise)s.")
            % {"enterprise": enterprise.name}
        ]
        if member.user_id:
            details.append(_("Their portal account can no longer edit the enterprise."))
        return ask_to_confirm(
            request,
            question=_("Remove %(name)s?") % {"name": member.full_name},
            details=details,
            confirm_label=_("Remove the member"),
            cancel_url=enterprise.get_absolute_url(),
        )
    try:
        services.remove_member(member=member, by=request.user)
    except EnterpriseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": member.full_name})
    return redirect(enterprise)


@require_POST
@role_required(Role.OFFICER)
def enterprise_status(request, pk):
    """An officer verifies an enterprise, or makes it inactive, with a note."""
    enterprise = get_object_or_404(Enterprise.objects.with_place(), pk=pk)
    choices = [(s, VerificationStatus(s).label) for s in services.next_statuses(enterprise)]
    form = StatusForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            enterprise = services.set_enterprise_status(
                enterprise=enterprise,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except EnterpriseError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": enterprise, "status": enterprise.get_status_display().lower()},
            )
            return redirect(enterprise)
    context = _detail_context(request, enterprise, status_form=form)
    return render(request, "entrepreneurs/enterprise_detail.html", context)


@signed_in
def my_enterprises(request):
    """The enterprises a person belongs to, or a call to register one."""
    user = request.user
    enterprises = (
        Enterprise.objects.belonging_to(user)
        .with_place()
        .annotate(product_count=Count("products", distinct=True))
        .order_by(thai_order("name_th"), "pk")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.filter(user=user), to_attr="my_roles")
        )
    )
    page = Paginator(enterprises, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "entrepreneurs/my_enterprises.html",
        {
            "page": page,
            "can_register": user.has_perm("entrepreneurs.register_enterprise"),
        },
    )
