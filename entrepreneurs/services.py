"""Every change to enterprises and their members goes through one of these functions.

`data` is a dict as the enterprise form cleans it: kind, name_th, name_en,
registration_code, tax_id, address_line, subdistrict (a Subdistrict), postal_code, phone,
line_id. The district and province are always taken from the subdistrict.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notifications.services import notify
from toolkit.audit import record_audit
from toolkit.pagination import data_changed

from . import validators
from .exceptions import (
    AddressMismatch,
    AlreadyMember,
    AlreadyRegistered,
    LastAccountHolder,
    NotAllowed,
    NoteRequired,
    StatusChangeRefused,
    UnknownAccount,
)
from .models import REGISTRY_DATA, Enterprise, Member, MemberRole, VerificationStatus

# Fields a person types; the service derives the rest.
EDITABLE_FIELDS = [
    "kind",
    "name_th",
    "name_en",
    "registration_code",
    "address_line",
    "subdistrict",
    "postal_code",
    "phone",
    "line_id",
]

PLACE_FIELDS = {"subdistrict", "district", "province"}

# Which verification states an officer may move an enterprise to from each state.
STATUS_TRANSITIONS = {
    VerificationStatus.UNVERIFIED: {VerificationStatus.VERIFIED},
    VerificationStatus.VERIFIED: {VerificationStatus.INACTIVE},
    VerificationStatus.INACTIVE: {VerificationStatus.VERIFIED},
}


def next_statuses(enterprise):
    """The states an officer may choose for this enterprise now."""
    return sorted(STATUS_TRANSITIONS.get(enterprise.status, ()))


def _apply(enterprise, data):
    """Copy the typed fields onto the enterprise, normalised; returns the changed fields."""
    changed = []
    values = {name: data.get(name, "") for name in EDITABLE_FIELDS}
    values["registration_code"] = (
        validators.clean_registration_code(values["registration_code"])
        if values["registration_code"]
        else None
    )
    subdistrict = values["subdistrict"]
    if values["postal_code"] not in subdistrict.postal_code_list:
        raise AddressMismatch()
    values["district"] = subdistrict.district
    values["province"] = subdistrict.district.province
    for name, value in values.items():
        # Places compare by code: a new enterprise has none to read yet.
        current = (
            getattr(enterprise, name + "_id") if name in PLACE_FIELDS else getattr(enterprise, name)
        )
        new = value.pk if name in PLACE_FIELDS else value
        if current != new:
            setattr(enterprise, name, value)
            changed.append(name)
    tax_id = data.get("tax_id")
    if tax_id:
        tax_id = validators.clean_tax_id(tax_id)
        tax_id_hash = validators.hash_tax_id(tax_id)
        if tax_id_hash != enterprise.tax_id_hash:
            enterprise.tax_id_hash = tax_id_hash
            enterprise.tax_id_display = validators.display_tax_id(tax_id)
            changed.append("tax_id")
    return changed


def _refuse_duplicates(enterprise):
    """Name the enterprise that already has this registration code or tax ID."""
    others = Enterprise.objects.exclude(pk=enterprise.pk)
    if enterprise.registration_code:
        existing = others.filter(registration_code=enterprise.registration_code).first()
        if existing:
            raise AlreadyRegistered(existing, field="registration_code")
    if enterprise.tax_id_hash:
        existing = others.filter(tax_id_hash=enterprise.tax_id_hash).first()
        if existing:
            raise AlreadyRegistered(existing, field="tax_id")


def _save(enterprise):
    _refuse_duplicates(enterprise)
    try:
        # A savepoint: a registration racing this one past the check above hits the
        # unique constraints, and the person still gets the message, not a 500.
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        _refuse_duplicates(enterprise)
        raise


def _warnings(enterprise):
    warning = validators.registration_code_warning(enterprise.registration_code)
    return [warning] if warning else []


# A registration the same person sent again within this time (a double click, a form sent
# twice) is the one they made, not a second enterprise of the same name and place.
REPEAT_SECONDS = 10 * 60


def _repeated_registration(enterprise, *, by, president):
    """The enterprise `by` just registered with this one's name and subdistrict, if any.

    `by`'s row is locked first, so two copies of one registration sent at once are taken
    one after the other: the second finds the first.
    """
    list(User.objects.select_for_update().filter(pk=by.pk).values_list("pk", flat=True))
    repeats = Enterprise.objects.filter(
        created_by=by,
        name_th=enterprise.name_th,
        subdistrict_id=enterprise.subdistrict_id,
        created_at__gte=timezone.now() - dt.timedelta(seconds=REPEAT_SECONDS),
    )
    if president is not None:
        repeats = repeats.filter(members__user=president)
    return repeats.order_by("-created_at").first()


@transaction.atomic
def register_enterprise(*, by, data, on_behalf_of=None):
    """Register an enterprise; its registrant (or `on_behalf_of`) becomes the president.

    Returns the enterprise and a list of warnings to show, such as a registration code
    whose subdistrict digits name no current subdistrict.
    """
    if not by.has_perm("entrepreneurs.register_enterprise"):
        raise NotAllowed()
    if on_behalf_of is not None:
        if not by.has_perm("entrepreneurs.register_enterprise_for_others"):
            raise NotAllowed()
        if on_behalf_of.role != Role.ENTREPRENEUR:
            raise UnknownAccount(field="on_behalf_of")
        president = on_behalf_of
    else:
        president = by if by.role == Role.ENTREPRENEUR else None
    enterprise = Enterprise(created_by=by)
    _apply(enterprise, data)
    repeated = _repeated_registration(enterprise, by=by, president=president)
    if repeated is not None:
        return repeated, [
            _("You registered this enterprise a moment ago: nothing new was registered.")
        ]
    _save(enterprise)
    # The landing page counts enterprises.
    data_changed(REGISTRY_DATA)
    if president is not None:
        Member.objects.create(
            enterprise=enterprise,
            user=president,
            full_name=president.full_name,
            phone=president.phone,
            role=MemberRole.PRESIDENT,
            added_by=by,
        )
    record_audit(
        actor=by,
        action="enterprise.registered",
        target=enterprise,
        on_behalf_of=on_behalf_of.pk if on_behalf_of else None,
    )
    return enterprise, _warnings(enterprise)


@transaction.atomic
def update_enterprise(*, enterprise, by, data):
    """Change an enterprise's details; returns it and the warnings to show, as on register."""
    if not by.has_perm("entrepreneurs.edit_enterprise", enterprise):
        raise NotAllowed()
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    changed = _apply(enterprise, data)
    if changed:
        _save(enterprise)
        # Its district is a showcase filter.
        data_changed(REGISTRY_DATA)
        # Field names only: the values may be personal data (a tax ID is a national ID).
        record_audit(actor=by, action="enterprise.updated", target=enterprise, changed=changed)
    return enterprise, _warnings(enterprise)


@transaction.atomic
def add_member(*, enterprise, by, full_name, role, phone="", user_email=None):
    """Add a person to an enterprise; linking their entrepreneur account lets them edit it."""
    if not by.has_perm("entrepreneurs.edit_enterprise", enterprise):
        raise NotAllowed()
    # Locked so the same account added twice at once is refused, not a constraint error.
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    user = None
    if user_email:
        user = User.objects.filter(
            email__iexact=user_email.strip(), role=Role.ENTREPRENEUR, is_active=True
        ).first()
        if user is None:
            raise UnknownAccount()
        if enterprise.members.filter(user=user).exists():
            raise AlreadyMember()
    member = Member.objects.create(
        enterprise=enterprise,
        user=user,
        full_name=full_name,
        role=role,
        phone=phone,
        added_by=by,
    )
    record_audit(
        actor=by,
        action="enterprise.member_added",
        target=enterprise,
        member=member.pk,
        full_name=full_name,
        role=role,
        linked_account=user.pk if user else None,
    )
    if user is not None and user != by:
        notify(user, "enterprise_member_added", enterprise, url=enterprise.get_absolute_url())
    return member


@transaction.atomic
def remove_member(*, member, by):
    """Remove a person from an enterprise; nobody removes the last account that can edit it."""
    enterprise = Enterprise.objects.select_for_update().get(pk=member.enterprise_id)
    if not by.has_perm("entrepreneurs.edit_enterprise", enterprise):
        raise NotAllowed()
    if (
        member.user_id == by.pk
        and not enterprise.members.filter(user__isnull=False).exclude(pk=member.pk).exists()
    ):
        raise LastAccountHolder()
    member.delete()
    record_audit(
        actor=by,
        action="enterprise.member_removed",
        target=enterprise,
        full_name=member.full_name,
        role=member.role,
    )


@transaction.atomic
def set_enterprise_status(*, enterprise, by, status, note):
    """An officer's verification decision, with a note; every member with an account is told."""
    if not by.has_perm("entrepreneurs.set_enterprise_status", enterprise):
        raise NotAllowed()
    # Locked so two officers deciding at once cannot both act on the old state.
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    previous = enterprise.status
    if status not in VerificationStatus.values:
        raise StatusChangeRefused(_("Choose a verification state from the list."))
    if status not in STATUS_TRANSITIONS.get(previous, ()):
        raise StatusChangeRefused(
            _("An enterprise that is %(current)s cannot be made %(new)s.")
            % {
                "current": VerificationStatus(previous).label.lower(),
                "new": VerificationStatus(status).label.lower(),
            }
        )
    note = (note or "").strip()
    if status == VerificationStatus.INACTIVE and not note:
        raise NoteRequired()
    enterprise.status = status
    enterprise.status_note = note
    enterprise.status_changed_at = timezone.now()
    enterprise.status_changed_by = by
    enterprise.save(
        update_fields=["status", "status_note", "status_changed_at", "status_changed_by"]
    )
    data_changed(REGISTRY_DATA)
    record_audit(
        actor=by,
        action="enterprise.status_changed",
        target=enterprise,
        previous=previous,
        status=status,
        note=note,
    )
    recipients = User.objects.filter(memberships__enterprise=enterprise, is_active=True).distinct()
    for recipient in recipients:
        notify(
            recipient,
            "enterprise_status",
            enterprise,
            url=enterprise.get_absolute_url(),
            # A lazy label: the email renders it in the recipient's language.
            context={"status_label": VerificationStatus(status).label, "note": note},
        )
    return enterprise
