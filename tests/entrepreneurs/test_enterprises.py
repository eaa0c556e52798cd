"""Enterprises: registration, details, members and verification, by everyone who may try."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from entrepreneurs import services
from entrepreneurs.exceptions import (
    AlreadyMember,
    AlreadyRegistered,
    LastAccountHolder,
    NotAllowed,
    NoteRequired,
    StatusChangeRefused,
    UnknownAccount,
)
from entrepreneurs.models import Enterprise, Member, MemberRole, Subdistrict, VerificationStatus
from entrepreneurs.validators import hash_tax_id, tax_id_check_digit
from notifications.models import Notification
from tests.concurrency import at_once, require_postgresql
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import enable_totp, sign_in
from tests.factories import EnterpriseFactory, ProductFactory, UserFactory
from toolkit.models import AuditEntry


def with_check_digit(first12):
    return first12 + str(tax_id_check_digit(first12))


JURISTIC_TAX_ID = with_check_digit("099300012345")
PERSONAL_TAX_ID = with_check_digit("352010012345")
BAD_TAX_ID = JURISTIC_TAX_ID[:12] + str((int(JURISTIC_TAX_ID[12]) + 1) % 10)


def english(user):
    """Messages are asserted in English; the Thai catalogue is written later."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def owner(owner):
    return english(owner)


@pytest.fixture
def outsider(outsider):
    return english(outsider)


@pytest.fixture
def officer(officer):
    return english(officer)


@pytest.fixture
def enterprise(owner):
    return EnterpriseFactory(owner=owner, name_en="Ko Kha Celadon Group")


@pytest.fixture
def teammate(enterprise):
    """Another entrepreneur, added to the owner's enterprise as a member."""
    user = english(UserFactory(email="teammate@example.com", full_name="มานี มีปั้น"))
    Member.objects.create(
        enterprise=enterprise, user=user, full_name=user.full_name, role=MemberRole.COMMITTEE
    )
    return user


def form_data(**overrides):
    data = {
        "kind": "community_enterprise",
        "name_th": "วิสาหกิจชุมชนบ้านทุ่งเกวียน",
        "name_en": "Ban Thung Kwian Pottery",
        "registration_code": "4-52-03-01/1-0012",
        "tax_id": JURISTIC_TAX_ID,
        "address_line": "99 หมู่ 5",
        "province": "52",
        "district": "5203",
        "subdistrict": "520301",
        "postal_code": "52130",
        "phone": "054 281 111",
        "line_id": "kokha.pottery",
    }
    data.update(overrides)
    return data


def service_data(**overrides):
    data = form_data(**overrides)
    data["subdistrict"] = Subdistrict.objects.get(code=data["subdistrict"])
    return data


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def login(client, user):
    sign_in(client, user)
    return client


# --- Registering -------------------------------------------------------------------------


def test_entrepreneur_registers_an_enterprise_and_becomes_its_president(client, owner):
    response = login(client, owner).post(reverse("entrepreneurs:enterprise_create"), form_data())
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == enterprise.get_absolute_url()
    assert enterprise.registration_code == "452030110012"
    assert (enterprise.province_id, enterprise.district_id) == ("52", "5203")
    assert enterprise.tax_id_hash == hash_tax_id(JURISTIC_TAX_ID)
    assert enterprise.tax_id_display == "0-9930-00123-45-" + JURISTIC_TAX_ID[12]
    assert enterprise.status == VerificationStatus.UNVERIFIED
    assert enterprise.created_by == owner
    member = enterprise.members.get()
    assert (member.user, member.role, member.full_name) == (
        owner,
        MemberRole.PRESIDENT,
        owner.full_name,
    )
    audit = AuditEntry.objects.get(action="enterprise.registered")
    assert (audit.actor, audit.target_id) == (owner, str(enterprise.pk))
    assert JURISTIC_TAX_ID not in str(audit.data)
    assert message_texts(response) == [
        "Ban Thung Kwian Pottery is registered. An officer will verify it."
    ]


def test_registration_form_is_shown_to_an_entrepreneur(client, owner):
    response = login(client, owner).get(reverse("entrepreneurs:enterprise_create"))
    assert response.status_code == 200
    assert 'name="on_behalf_of"' not in response.text
    assert reverse("entrepreneurs:data_credits") in response.text


def test_a_personal_tax_id_is_stored_masked(owner):
    enterprise, _warnings = services.register_enterprise(
        by=owner, data=service_data(tax_id=PERSONAL_TAX_ID, kind="artisan")
    )
    assert enterprise.tax_id_display == "3-xxxx-xxxxx-45-" + PERSONAL_TAX_ID[12]
    assert PERSONAL_TAX_ID not in enterprise.search_text


def test_a_wrong_tax_id_check_digit_is_refused_on_the_form(client, owner):
    response = login(client, owner).post(
        reverse("entrepreneurs:enterprise_create"), form_data(tax_id=BAD_TAX_ID)
    )
    assert response.status_code == 200
    assert "check digit is wrong" in response.text
    assert not Enterprise.objects.exists()


def test_a_registration_code_of_eleven_digits_is_refused(client, owner):
    response = login(client, owner).post(
        reverse("entrepreneurs:enterprise_create"), form_data(registration_code="4-52-03-01/1-001")
    )
    assert response.status_code == 200
    assert "A community-enterprise registration code has 12 digits" in response.text
    assert not Enterprise.objects.exists()


def test_a_code_naming_no_subdistrict_is_saved_with_a_warning(client, owner):
    response = login(client, owner).post(
        reverse("entrepreneurs:enterprise_create"),
        form_data(registration_code="4-99-99-99/1-0012"),
        follow=True,
    )
    enterprise = Enterprise.objects.get()
    assert enterprise.registration_code == "499999910012"
    messages = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(messages) == 1
    assert "999999" in str(messages[0])
    # The officer verifying it sees the same warning on the page.
    assert response.text.count("name no current subdistrict") == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("registration_code", "452030110012"), ("tax_id", JURISTIC_TAX_ID)],
)
def test_a_duplicate_is_refused_naming_the_existing_enterprise(
    client, owner, outsider, field, value
):
    services.register_enterprise(by=owner, data=service_data(name_en="Lampang Luang Kilns"))
    other = {"registration_code": "", "tax_id": with_check_digit("099300099999"), field: value}
    response = login(client, outsider).post(
        reverse("entrepreneurs:enterprise_create"), form_data(**other)
    )
    assert response.status_code == 200
    assert "Already registered as Lampang Luang Kilns." in response.text
    assert Enterprise.objects.count() == 1
    assert not Member.objects.filter(user=outsider).exists()


def test_register_enterprise_refuses_a_duplicate_in_the_service_too(owner, outsider):
    first, _warnings = services.register_enterprise(by=owner, data=service_data())
    with pytest.raises(AlreadyRegistered) as error:
        services.register_enterprise(
            by=outsider, data=service_data(registration_code="", tax_id=JURISTIC_TAX_ID)
        )
    assert error.value.existing == first
    assert error.value.field == "tax_id"


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"postal_code": "50000"}, "50000 is not a postal code of"),
        ({"province": "50"}, "This district is not in the province you chose."),
        ({"kind": "factory"}, "Select a valid choice."),
        ({"name_th": ""}, "This field is required."),
        ({"phone": "call me"}, "Enter a phone number of digits"),
        ({"line_id": "ไลน์ของฉัน"}, "A LINE ID has letters, digits"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, owner, overrides, field_error):
    response = login(client, owner).post(
        reverse("entrepreneurs:enterprise_create"), form_data(**overrides)
    )
    assert response.status_code == 200
    assert field_error in response.text
    assert not Enterprise.objects.exists()


def test_officer_registers_on_an_entrepreneurs_behalf(officer_client, officer_2fa, owner):
    response = officer_client.get(reverse("entrepreneurs:enterprise_create"))
    assert 'name="on_behalf_of"' in response.text
    response = officer_client.post(
        reverse("entrepreneurs:enterprise_create"), form_data(on_behalf_of="OWNER@example.com")
    )
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.created_by == officer_2fa
    assert list(enterprise.members.values_list("user", "role")) == [
        (owner.pk, MemberRole.PRESIDENT)
    ]
    audit = AuditEntry.objects.get(action="enterprise.registered")
    assert (audit.actor, audit.data["on_behalf_of"]) == (officer_2fa, owner.pk)


def test_officer_registers_an_enterprise_with_no_member_yet(officer_client):
    assert (
        officer_client.post(reverse("entrepreneurs:enterprise_create"), form_data()).status_code
        == 302
    )
    assert not Member.objects.exists()


@pytest.mark.parametrize("email", ["nobody@example.com", "student@dome.tu.ac.th"])
def test_officer_on_behalf_of_a_non_entrepreneur_is_refused(officer_client, student, email):
    response = officer_client.post(
        reverse("entrepreneurs:enterprise_create"), form_data(on_behalf_of=email)
    )
    assert response.status_code == 200
    assert "No entrepreneur account uses this email address." in response.text
    assert not Enterprise.objects.exists()


def test_an_entrepreneur_cannot_register_for_someone_else(owner, outsider):
    with pytest.raises(NotAllowed):
        services.register_enterprise(by=owner, data=service_data(), on_behalf_of=outsider)


def test_registering_sends_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("entrepreneurs:enterprise_create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["student", "faculty", "staff_2fa"])
def test_registering_is_forbidden_to_other_roles(client, request, person):
    login(client, request.getfixturevalue(person))
    assert client.get(reverse("entrepreneurs:enterprise_create")).status_code == 403


# --- The enterprise page -----------------------------------------------------------------


def detail_url(enterprise):
    return reverse("entrepreneurs:enterprise_detail", args=[enterprise.pk])


@pytest.mark.parametrize("person", ["owner", "teammate"])
def test_members_see_their_enterprise(client, request, enterprise, person):
    response = login(client, request.getfixturevalue(person)).get(detail_url(enterprise))
    assert response.status_code == 200
    assert "Ko Kha Celadon Group" in response.text
    assert reverse("entrepreneurs:enterprise_update", args=[enterprise.pk]) in response.text
    assert reverse("entrepreneurs:enterprise_status", args=[enterprise.pk]) not in response.text


def test_the_page_shows_the_address_masked_tax_id_and_formatted_code(client, owner):
    enterprise, _warnings = services.register_enterprise(
        by=owner, data=service_data(tax_id=PERSONAL_TAX_ID)
    )
    response = login(client, owner).get(detail_url(enterprise))
    assert "4-52-03-01/1-0012" in response.text
    assert "3-xxxx-xxxxx-45-" in response.text
    assert PERSONAL_TAX_ID[1:10] not in response.text
    assert "Lampang Luang" in response.text  # names in the reader's language
    assert "Ko Kha" in response.text
    assert "52130" in response.text


def test_the_page_shows_place_names_in_thai_to_a_thai_reader(client, enterprise, owner):
    owner.language = "th"
    owner.save(update_fields=["language"])
    response = login(client, owner).get(detail_url(enterprise))
    assert "ลำปางหลวง" in response.text
    assert "เกาะคา" in response.text


def test_outsiders_get_404(client, outsider, enterprise):
    login(client, outsider)
    for name in ["enterprise_detail", "enterprise_update", "member_add"]:
        assert client.get(reverse(f"entrepreneurs:{name}", args=[enterprise.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, enterprise):
    for name in ["enterprise_detail", "enterprise_update", "member_add"]:
        response = client.get(reverse(f"entrepreneurs:{name}", args=[enterprise.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("entrepreneurs:my_enterprises")).status_code == 302


def test_officers_see_any_enterprise_with_the_decision_form(officer_client, enterprise):
    response = officer_client.get(detail_url(enterprise))
    assert response.status_code == 200
    assert reverse("entrepreneurs:enterprise_status", args=[enterprise.pk]) in response.text
    assert '<option value="verified">Verified</option>' in response.text


def test_officers_without_two_factor_are_sent_to_set_it_up(client, officer, enterprise):
    response = login(client, officer).get(detail_url(enterprise))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_page_links_the_enterprises_products(client, owner, enterprise):
    product = ProductFactory(enterprise=enterprise, name_en="Rooster bowl")
    url = product.get_absolute_url()
    response = login(client, owner).get(detail_url(enterprise))
    assert f'<a href="{url}">Rooster bowl</a>' in response.text


def test_an_enterprise_without_products_says_so_and_offers_to_add_one(client, owner, enterprise):
    response = login(client, owner).get(detail_url(enterprise))
    assert "No products registered yet." in response.text
    assert reverse("products:product_create", args=[enterprise.pk]) in response.text


# --- Editing -----------------------------------------------------------------------------


def update_url(enterprise):
    return reverse("entrepreneurs:enterprise_update", args=[enterprise.pk])


@pytest.mark.parametrize("person", ["owner", "teammate"])
def test_members_edit_the_details(client, request, enterprise, person):
    user = request.getfixturevalue(person)
    login(client, user)
    page = client.get(update_url(enterprise))
    assert page.status_code == 200
    assert '<option value="520301" selected>' in page.text
    response = client.post(
        update_url(enterprise), form_data(name_en="Ko Kha Celadon", registration_code="", tax_id="")
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name_en == "Ko Kha Celadon"
    audit = AuditEntry.objects.get(action="enterprise.updated")
    assert audit.actor == user
    assert "name_en" in audit.data["changed"]


def test_the_edit_form_shows_the_code_formatted_and_the_tax_id_on_file(client, owner):
    enterprise, _warnings = services.register_enterprise(by=owner, data=service_data())
    response = login(client, owner).get(update_url(enterprise))
    assert 'value="4-52-03-01/1-0012"' in response.text
    assert "On file: 0-9930-00123-45-" in response.text
    assert JURISTIC_TAX_ID not in response.text


def test_officers_edit_any_enterprise(officer_client, officer_2fa, enterprise):
    response = officer_client.post(update_url(enterprise), form_data(tax_id=""))
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="enterprise.updated").actor == officer_2fa


def test_an_empty_tax_id_keeps_the_one_on_file(owner):
    enterprise, _warnings = services.register_enterprise(by=owner, data=service_data())
    services.update_enterprise(
        enterprise=enterprise, by=owner, data=service_data(tax_id="", phone="054 000 000")
    )
    enterprise.refresh_from_db()
    assert enterprise.tax_id_hash == hash_tax_id(JURISTIC_TAX_ID)
    assert enterprise.phone == "054 000 000"


def test_editing_to_another_enterprises_code_is_refused(client, owner, outsider, enterprise):
    services.register_enterprise(by=outsider, data=service_data(name_en="Mae Mo Clay Works"))
    response = login(client, owner).post(
        update_url(enterprise), form_data(tax_id="", registration_code="452030110012")
    )
    assert response.status_code == 200
    assert "Already registered as Mae Mo Clay Works." in response.text
    enterprise.refresh_from_db()
    assert enterprise.registration_code is None


def test_update_enterprise_checks_the_rule_itself(outsider, enterprise):
    with pytest.raises(NotAllowed):
        services.update_enterprise(enterprise=enterprise, by=outsider, data=service_data())


# --- Members -----------------------------------------------------------------------------


def member_add_url(enterprise):
    return reverse("entrepreneurs:member_add", args=[enterprise.pk])


def test_adding_a_member_without_an_account(client, owner, enterprise):
    response = login(client, owner).post(
        member_add_url(enterprise),
        {"full_name": "ลุงแก้ว ปั้นหม้อ", "role": MemberRole.MEMBER, "phone": "081 234 5678"},
    )
    assert response.status_code == 302
    member = enterprise.members.get(full_name="ลุงแก้ว ปั้นหม้อ")
    assert (member.user, member.added_by) == (None, owner)
    audit = AuditEntry.objects.get(action="enterprise.member_added")
    assert audit.data["full_name"] == "ลุงแก้ว ปั้นหม้อ"


def test_linking_an_entrepreneurs_account_lets_them_edit(
    client, owner, outsider, enterprise, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, owner).post(
            member_add_url(enterprise),
            {"full_name": "สมศรี", "role": MemberRole.REPRESENTATIVE, "user_email": outsider.email},
        )
    assert response.status_code == 302
    assert enterprise.members.filter(user=outsider).exists()
    assert Notification.objects.filter(recipient=outsider, kind="enterprise_member_added").exists()
    assert mailoutbox[0].subject == "You were added to Ko Kha Celadon Group"
    login(client, outsider)
    assert client.get(update_url(enterprise)).status_code == 200


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No entrepreneur account uses this email address."),
        ("student@dome.tu.ac.th", "No entrepreneur account uses this email address."),
        ("teammate@example.com", "This account is already a member of the enterprise."),
    ],
)
def test_linking_a_bad_account_is_refused(
    client, owner, student, teammate, enterprise, email, message
):
    response = login(client, owner).post(
        member_add_url(enterprise),
        {"full_name": "ใครสักคน", "role": MemberRole.MEMBER, "user_email": email},
    )
    assert response.status_code == 200
    assert message in response.text
    assert not enterprise.members.filter(full_name="ใครสักคน").exists()


def test_add_member_refuses_outsiders(outsider, enterprise):
    with pytest.raises(NotAllowed):
        services.add_member(
            enterprise=enterprise, by=outsider, full_name="x", role=MemberRole.MEMBER
        )


def test_add_member_with_unknown_email_raises(owner, enterprise):
    with pytest.raises(UnknownAccount):
        services.add_member(
            enterprise=enterprise,
            by=owner,
            full_name="x",
            role=MemberRole.MEMBER,
            user_email="nobody@example.com",
        )


def member_remove_url(member):
    return reverse("entrepreneurs:member_remove", args=[member.enterprise_id, member.pk])


def test_an_owner_removes_a_member(client, owner, teammate, enterprise):
    member = enterprise.members.get(user=teammate)
    response = login(client, owner).post(member_remove_url(member), CONFIRMED)
    assert response.status_code == 302
    assert not enterprise.members.filter(user=teammate).exists()
    assert AuditEntry.objects.get(action="enterprise.member_removed").data["full_name"] == (
        "มานี มีปั้น"
    )


def test_the_only_account_holder_cannot_remove_themselves(client, owner, enterprise):
    member = enterprise.members.get(user=owner)
    response = login(client, owner).post(member_remove_url(member), CONFIRMED, follow=True)
    assert enterprise.members.filter(user=owner).exists()
    assert "You are the only member with a portal account" in response.text
    with pytest.raises(LastAccountHolder):
        services.remove_member(member=member, by=owner)


def test_the_only_account_holder_is_offered_no_remove_button_for_themselves(
    client, owner, enterprise
):
    helper = Member.objects.create(enterprise=enterprise, full_name="ลุงแก้ว", role="member")
    response = login(client, owner).get(detail_url(enterprise))
    assert member_remove_url(helper) in response.text
    assert member_remove_url(enterprise.members.get(user=owner)) not in response.text


def test_a_member_may_leave_when_another_account_remains(client, teammate, enterprise):
    member = enterprise.members.get(user=teammate)
    assert login(client, teammate).post(member_remove_url(member), CONFIRMED).status_code == 302
    assert not Member.objects.filter(pk=member.pk).exists()


def test_removing_asks_first_and_needs_membership(client, owner, outsider, teammate, enterprise):
    member = enterprise.members.get(user=teammate)
    url = member_remove_url(member)
    html = assert_asks_first(login(client, owner).get(url))
    assert "มานี มีปั้น" in html
    # The old one-tap form posted without the answer: it only asks.
    assert_asks_first(client.post(url))
    assert login(client, outsider).get(url).status_code == 404
    assert client.post(url, CONFIRMED).status_code == 404
    assert Member.objects.filter(pk=member.pk).exists()


def test_a_member_of_another_enterprise_is_not_found(client, owner, outsider, enterprise):
    elsewhere = EnterpriseFactory(owner=outsider)
    member = elsewhere.members.get()
    url = reverse("entrepreneurs:member_remove", args=[enterprise.pk, member.pk])
    assert login(client, owner).post(url, CONFIRMED).status_code == 404


# --- Verification ------------------------------------------------------------------------


def status_url(enterprise):
    return reverse("entrepreneurs:enterprise_status", args=[enterprise.pk])


def test_officer_verifies_and_the_owner_is_told_in_their_language(
    officer_client,
    officer_2fa,
    enterprise,
    owner,
    teammate,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    teammate.language = "th"
    teammate.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            status_url(enterprise), {"status": "verified", "note": "Checked the DOAE register."}
        )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.status == VerificationStatus.VERIFIED
    assert enterprise.status_changed_by == officer_2fa
    assert enterprise.status_note == "Checked the DOAE register."
    audit = AuditEntry.objects.get(action="enterprise.status_changed")
    assert (audit.actor, audit.data["previous"], audit.data["status"]) == (
        officer_2fa,
        "unverified",
        "verified",
    )
    mail = {m.to[0]: m for m in mailoutbox}
    assert set(mail) == {owner.email, teammate.email}
    assert mail[owner.email].subject == "The verification of Ko Kha Celadon Group has changed"
    assert "to: Verified." in mail[owner.email].body
    assert "Checked the DOAE register." in mail[owner.email].body
    # The Thai reader gets the enterprise's Thai name.
    assert enterprise.name_th in mail[teammate.email].subject
    assert Notification.objects.filter(kind="enterprise_status").count() == 2


def test_the_decision_appears_in_the_pages_history(officer_client, client, owner, enterprise):
    officer_client.post(status_url(enterprise), {"status": "verified", "note": "All in order."})
    response = login(client, owner).get(detail_url(enterprise))
    assert "All in order." in response.text
    assert "set it to Verified" in response.text


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("unverified", "verified", True),
        ("verified", "inactive", True),
        ("inactive", "verified", True),
        ("unverified", "inactive", False),
        ("verified", "unverified", False),
        ("inactive", "unverified", False),
        ("verified", "verified", False),
        ("verified", "closed", False),
    ],
)
def test_status_transitions(officer_2fa, enterprise, start, target, allowed):
    Enterprise.objects.filter(pk=enterprise.pk).update(status=start)
    if allowed:
        services.set_enterprise_status(
            enterprise=enterprise, by=officer_2fa, status=target, note="Reason."
        )
        enterprise.refresh_from_db()
        assert enterprise.status == target
    else:
        with pytest.raises(StatusChangeRefused):
            services.set_enterprise_status(
                enterprise=enterprise, by=officer_2fa, status=target, note="Reason."
            )
        assert not AuditEntry.objects.filter(action="enterprise.status_changed").exists()


def test_a_refused_transition_is_explained(officer_2fa, enterprise):
    with translation.override("en"), pytest.raises(StatusChangeRefused) as error:
        services.set_enterprise_status(
            enterprise=enterprise, by=officer_2fa, status="inactive", note="Closed."
        )
    assert str(error.value.message) == "An enterprise that is unverified cannot be made inactive."


def test_making_inactive_needs_a_note(officer_client, officer_2fa, enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(status="verified")
    response = officer_client.post(status_url(enterprise), {"status": "inactive", "note": "  "})
    assert response.status_code == 200
    assert "Write a note saying why the enterprise is made inactive." in response.text
    enterprise.refresh_from_db()
    assert enterprise.status == VerificationStatus.VERIFIED
    with pytest.raises(NoteRequired):
        services.set_enterprise_status(
            enterprise=enterprise, by=officer_2fa, status="inactive", note=""
        )


def test_a_state_not_offered_is_refused_on_the_page(officer_client, enterprise):
    response = officer_client.post(status_url(enterprise), {"status": "inactive", "note": "x"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    enterprise.refresh_from_db()
    assert enterprise.status == VerificationStatus.UNVERIFIED


@pytest.mark.parametrize("person", ["owner", "outsider", "student", "staff_2fa"])
def test_only_officers_decide(client, request, enterprise, person):
    response = login(client, request.getfixturevalue(person)).post(
        status_url(enterprise), {"status": "verified", "note": ""}
    )
    assert response.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.status == VerificationStatus.UNVERIFIED


def test_deciding_sends_anonymous_visitors_to_login(client, enterprise):
    response = client.post(status_url(enterprise), {"status": "verified"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deciding_needs_an_officer_with_two_factor(officer, owner, enterprise):
    with pytest.raises(NotAllowed):
        services.set_enterprise_status(
            enterprise=enterprise, by=officer, status="verified", note=""
        )
    with pytest.raises(NotAllowed):
        services.set_enterprise_status(enterprise=enterprise, by=owner, status="verified", note="")


def test_deciding_status_needs_post(officer_client, enterprise):
    assert officer_client.get(status_url(enterprise)).status_code == 405


# --- My enterprises ------------------------------------------------------------------------


def test_my_enterprises_lists_mine_only(client, owner, outsider, enterprise):
    EnterpriseFactory(owner=outsider, name_en="Somebody Else's Kiln")
    response = login(client, owner).get(reverse("entrepreneurs:my_enterprises"))
    assert response.status_code == 200
    assert "Ko Kha Celadon Group" in response.text
    assert "Somebody Else's Kiln" not in response.text
    assert "you are: President" in response.text


def test_an_entrepreneur_with_no_enterprise_is_asked_to_register(client, outsider):
    response = login(client, outsider).get(reverse("entrepreneurs:my_enterprises"))
    assert "You have no enterprise in the portal yet" in response.text
    assert reverse("entrepreneurs:enterprise_create") in response.text


def test_my_enterprises_query_count_does_not_grow(client, owner, django_assert_max_num_queries):
    login(client, owner)
    EnterpriseFactory(owner=owner)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("entrepreneurs:my_enterprises"))
    for _ in range(15):
        enterprise = EnterpriseFactory(owner=owner)
        ProductFactory(enterprise=enterprise)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("entrepreneurs:my_enterprises"))
    assert response.text.count("you are: President") == 16


def test_roles_outside_the_registry_see_no_register_call(client, student):
    response = login(client, student).get(reverse("entrepreneurs:my_enterprises"))
    assert response.status_code == 200
    assert reverse("entrepreneurs:enterprise_create") not in response.text


def test_rules_match_the_cast(owner, teammate, outsider, officer_2fa, student, enterprise):
    assert owner.has_perm("entrepreneurs.edit_enterprise", enterprise)
    assert teammate.has_perm("entrepreneurs.edit_enterprise", enterprise)
    assert officer_2fa.has_perm("entrepreneurs.edit_enterprise", enterprise)
    assert not outsider.has_perm("entrepreneurs.see_enterprise", enterprise)
    assert not student.has_perm("entrepreneurs.register_enterprise")
    assert officer_2fa.role == Role.OFFICER
    assert officer_2fa.has_perm("entrepreneurs.set_enterprise_status", enterprise)
    assert not owner.has_perm("entrepreneurs.set_enterprise_status", enterprise)
    with pytest.raises(AlreadyMember):
        services.add_member(
            enterprise=enterprise,
            by=owner,
            full_name="again",
            role=MemberRole.MEMBER,
            user_email=teammate.email,
        )


# --- Admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client_en(admin_user, client):
    english(admin_user)
    sign_in(client, enable_totp(admin_user))  # the admin asks for two-factor sign-in
    return client


def test_admin_lists_and_searches_enterprises(admin_client_en, enterprise):
    EnterpriseFactory.create_batch(3)
    response = admin_client_en.get(
        reverse("admin:entrepreneurs_enterprise_changelist"), {"q": "Celadon"}
    )
    assert response.status_code == 200
    assert "Ko Kha Celadon Group" in response.text
    page = admin_client_en.get(
        reverse("admin:entrepreneurs_enterprise_change", args=[enterprise.pk])
    )
    assert page.status_code == 200


def test_admin_keeps_geography_read_only(admin_client_en):
    response = admin_client_en.get(reverse("admin:entrepreneurs_subdistrict_changelist"))
    assert response.status_code == 200
    assert admin_client_en.get(reverse("admin:entrepreneurs_province_add")).status_code == 403


def admin_change(enterprise, members=(), **fields):
    """The admin's change form of `enterprise` as posted, with new `members` rows."""
    data = {
        "kind": enterprise.kind,
        "name_th": enterprise.name_th,
        "name_en": "",
        "registration_code": "",
        "address_line": "",
        "subdistrict": "520302",
        "postal_code": "52130",
        "phone": "",
        "line_id": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, member in enumerate(members):
        data |= {f"members-{n}-{name}": value for name, value in member.items()}
    return data


def test_admin_changes_are_audited(admin_client_en, admin_user, enterprise):
    url = reverse("admin:entrepreneurs_enterprise_change", args=[enterprise.pk])
    response = admin_client_en.post(url, admin_change(enterprise, name_en="Renamed in admin"))
    assert response.status_code == 302, response.context["errors"]
    enterprise.refresh_from_db()
    assert (enterprise.name_en, enterprise.district_id) == ("Renamed in admin", "5203")
    audit = AuditEntry.objects.get(action="enterprise.admin_changed")
    assert audit.actor == admin_user
    assert "name_en" in audit.data["changed"]


@pytest.mark.parametrize("user", ["abc", "99999999999999999999999"])
def test_admin_redraws_a_member_whose_account_is_not_a_number(admin_client_en, enterprise, user):
    # Django's autocomplete select looked the value up while drawing the page: a 500.
    url = reverse("admin:entrepreneurs_enterprise_change", args=[enterprise.pk])
    member = {"full_name": "สมร ดินดี", "role": "committee", "user": user}
    response = admin_client_en.post(url, admin_change(enterprise, [member]))
    assert response.status_code == 200
    assert response.context["errors"]
    assert not enterprise.members.filter(full_name="สมร ดินดี").exists()


def test_a_registration_sent_again_registers_nothing_new(client, owner):
    # A double click, or the form sent again: the same enterprise, told so, not a copy.
    login(client, owner)
    data = form_data(registration_code="", tax_id="")
    first = client.post(reverse("entrepreneurs:enterprise_create"), data)
    again = client.post(reverse("entrepreneurs:enterprise_create"), data)
    enterprise = Enterprise.objects.get()
    assert first["Location"] == again["Location"] == enterprise.get_absolute_url()
    assert "nothing new was registered" in " ".join(message_texts(again))
    assert enterprise.members.count() == 1
    assert AuditEntry.objects.filter(action="enterprise.registered").count() == 1


def test_another_enterprise_of_the_same_person_is_registered(owner):
    services.register_enterprise(by=owner, data=service_data(registration_code=""))
    services.register_enterprise(
        by=owner,
        data=service_data(registration_code="", tax_id="", name_th="กลุ่มเครื่องปั้นดินเผาบ้านใหม่"),
    )
    assert Enterprise.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_registration_sent_twice_at_once_registers_one_enterprise(owner):
    require_postgresql()
    results = at_once(
        [
            lambda: services.register_enterprise(
                by=owner, data=service_data(registration_code="", tax_id="")
            )
            for _ in range(2)
        ]
    )
    assert Enterprise.objects.count() == 1
    assert {enterprise.pk for enterprise, _warnings in results} == {Enterprise.objects.get().pk}
