"""The applicant's pages: apply, follow, withdraw; tried by everyone who may and may not."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from entrepreneurs.models import Member, MemberRole, VerificationStatus
from programmes import services
from programmes.exceptions import IncompleteApplication
from programmes.models import Enrolment, EnrolmentStatus, IntakeQuestion
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import enable_totp, sign_in
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    UpgradeRecordFactory,
    UserFactory,
    category,
)

S = EnrolmentStatus
pytestmark = pytest.mark.django_db


def english(user):
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
    # With a device: programme services let officers act only with two-factor sign-in.
    return english(enable_totp(officer))


@pytest.fixture
def intake():
    return IntakeFactory()


@pytest.fixture
def question(intake):
    return IntakeQuestion.objects.create(
        intake=intake, text_th="แผนการพัฒนา", text_en="Your plan", required=True
    )


@pytest.fixture
def enterprise(owner):
    return EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED, name_en="Celadon")


@pytest.fixture
def product(enterprise):
    return ProductFactory(enterprise=enterprise, name_en="Rooster bowl")


@pytest.fixture
def member(enterprise):
    user = english(UserFactory(email="member@example.com"))
    Member.objects.create(
        enterprise=enterprise, user=user, full_name=user.full_name, role=MemberRole.MEMBER
    )
    return user


def apply_url(intake, enterprise=None):
    url = reverse("programmes:intake_apply", args=[intake.pk])
    return f"{url}?enterprise={enterprise.pk}" if enterprise else url


def detail_url(enrolment):
    return reverse("programmes:enrolment_detail", args=[enrolment.pk])


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def submitted(intake, enterprise, product, user, answers=None):
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=user, products=[product], answers=answers or {}
    )
    return services.submit_application(enrolment=draft, by=user)


# --- Applying ------------------------------------------------------------------------------


def test_apply_page_shows_products_and_questions(client, owner, intake, question, product):
    client.force_login(owner)
    response = client.get(apply_url(intake))
    assert response.status_code == 200
    assert response.context["enterprise"].created_by == owner
    body = response.content.decode()
    assert "Rooster bowl" in body
    assert "Your plan" in body
    assert "required to submit" in body


def test_save_draft_then_submit(client, owner, intake, question, enterprise, product):
    client.force_login(owner)
    response = client.post(
        apply_url(intake),
        {"products": [product.pk], f"question_{question.pk}": "", "action": "draft"},
    )
    enrolment = Enrolment.objects.get()
    assert response.url == detail_url(enrolment)
    assert enrolment.status == S.DRAFT
    assert "Your draft is saved" in texts(response)[0]

    response = client.get(apply_url(intake))
    assert response.status_code == 200
    assert response.context["form"].initial["products"] == [product]

    response = client.post(
        apply_url(intake),
        {"products": [product.pk], f"question_{question.pk}": "A plan", "action": "submit"},
    )
    enrolment.refresh_from_db()
    assert response.url == detail_url(enrolment)
    assert enrolment.status == S.SUBMITTED
    assert enrolment.answers.get().text == "A plan"


def test_submit_needs_products_and_required_answers(client, owner, intake, question, product):
    client.force_login(owner)
    response = client.post(apply_url(intake), {f"question_{question.pk}": "  ", "action": "submit"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["products"] == ["Choose at least one product to upgrade."]
    assert form.errors[f"question_{question.pk}"] == ["Answer this question before you submit."]
    assert not Enrolment.objects.exists()


def test_refused_submission_saves_nothing(client, owner, intake, enterprise, product):
    """A product outside the intake's categories is refused and leaves no draft behind."""
    intake.eligible_categories.add(category("decor"))
    client.force_login(owner)
    response = client.post(apply_url(intake), {"products": [product.pk], "action": "submit"})
    assert response.status_code == 200
    assert "products" in response.context["form"].errors
    assert "Rooster bowl" in response.content.decode()  # named among the left-out products
    assert not Enrolment.objects.exists()


def test_refused_submit_leaves_no_half_saved_draft(client, owner, intake, product, monkeypatch):
    def refuse(**kwargs):
        raise IncompleteApplication("Refused for the test.")

    monkeypatch.setattr(services, "submit_application", refuse)
    client.force_login(owner)
    response = client.post(apply_url(intake), {"products": [product.pk], "action": "submit"})
    assert response.context["form"].non_field_errors() == ["Refused for the test."]
    assert not Enrolment.objects.exists()


def test_full_intake_submission_lands_on_the_waitlist(client, owner, intake, product):
    intake.capacity = 0
    intake.save()
    client.force_login(owner)
    response = client.post(apply_url(intake), {"products": [product.pk], "action": "submit"})
    assert Enrolment.objects.get().status == S.WAITLISTED
    assert "number 1 on the waitlist" in texts(response)[0]


def test_ineligible_enterprise_sees_the_reasons_and_no_form(client, owner, intake, enterprise):
    enterprise.status = VerificationStatus.UNVERIFIED
    enterprise.save()
    client.force_login(owner)
    response = client.get(apply_url(intake))
    assert response.status_code == 200
    assert "form" not in response.context
    assert "yours is not verified yet" in response.content.decode()
    response = client.post(apply_url(intake), {"action": "draft"})
    assert "form" not in response.context
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "opens, closes, words",
    [
        (dt.timedelta(days=1), dt.timedelta(days=5), "Applications to this intake open on"),
        (-dt.timedelta(days=5), -dt.timedelta(days=1), "The deadline has passed"),
    ],
)
def test_outside_the_window_says_so_with_no_form(client, owner, product, opens, closes, words):
    now = timezone.now()
    intake = IntakeFactory(opens_at=now + opens, closes_at=now + closes)
    client.force_login(owner)
    response = client.get(apply_url(intake))
    assert words in response.content.decode()
    assert "form" not in response.context
    client.post(apply_url(intake), {"products": [product.pk], "action": "draft"})
    assert not Enrolment.objects.exists()


def test_already_applied_goes_to_the_application(client, owner, intake, enterprise, product):
    enrolment = submitted(intake, enterprise, product, owner)
    client.force_login(owner)
    response = client.get(apply_url(intake))
    assert response.url == detail_url(enrolment)
    assert texts(response) == ["Your enterprise has already applied to this intake."]


def test_several_enterprises_choose_which_applies(client, owner, intake, enterprise, product):
    second = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    ProductFactory(enterprise=second)
    client.force_login(owner)
    response = client.get(apply_url(intake))
    assert response.templates[0].name == "programmes/intake_apply_choose.html"
    assert {e.pk for e, _applied in response.context["choices"]} == {enterprise.pk, second.pk}
    response = client.post(
        apply_url(intake, second), {"products": [second.products.get().pk], "action": "draft"}
    )
    assert Enrolment.objects.get().enterprise == second


def test_without_an_enterprise_asked_to_register_one(client, outsider, intake):
    client.force_login(outsider)
    response = client.get(apply_url(intake))
    assert "Register your enterprise first" in response.content.decode()


def test_a_student_is_told_only_entrepreneurs_apply(client, student, intake):
    english(student)
    client.force_login(student)
    page = client.get(apply_url(intake)).content.decode()
    assert "Applications come from community enterprises" in page
    assert reverse("entrepreneurs:enterprise_create") not in page


def test_another_enterprise_cannot_be_chosen(client, outsider, intake, enterprise):
    client.force_login(outsider)
    assert client.get(apply_url(intake, enterprise)).status_code == 404
    assert client.post(apply_url(intake, enterprise), {"action": "draft"}).status_code == 404
    assert not Enrolment.objects.exists()


def test_another_enterprises_product_is_not_a_choice(client, owner, intake, enterprise):
    foreign = ProductFactory()
    client.force_login(owner)
    response = client.post(apply_url(intake), {"products": [foreign.pk], "action": "draft"})
    assert "products" in response.context["form"].errors
    assert not Enrolment.objects.exists()


def test_member_applies_for_the_enterprise(client, member, intake, enterprise, product):
    client.force_login(member)
    client.post(apply_url(intake), {"products": [product.pk], "action": "submit"})
    assert Enrolment.objects.get().enterprise == enterprise


def test_anonymous_is_sent_to_log_in(client, intake):
    response = client.get(apply_url(intake))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_intake_of_a_draft_programme_is_not_found(client, owner, enterprise):
    intake = IntakeFactory(programme__status="draft")
    client.force_login(owner)
    assert client.get(apply_url(intake)).status_code == 404


# --- The application page ------------------------------------------------------------------


@pytest.fixture
def enrolment(intake, enterprise, product, owner):
    return submitted(intake, enterprise, product, owner)


@pytest.mark.parametrize("who", ["owner", "member"])
def test_applicants_see_their_application(client, request, who, enrolment):
    sign_in(client, request.getfixturevalue(who))
    response = client.get(detail_url(enrolment))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Submitted and waiting for an officer" in body
    assert "Does not hold a place" in body
    assert "Rooster bowl" in body
    assert reverse("programmes:enrolment_withdraw", args=[enrolment.pk]) in body


def test_officer_sees_it_without_applicant_buttons(officer_client, enrolment):
    response = officer_client.get(detail_url(enrolment))
    assert response.status_code == 200
    assert response.context["can_withdraw"] is False


@pytest.mark.parametrize("who", ["outsider", "student", "centre_staff"])
def test_others_get_404(client, request, who, enrolment):
    user = request.getfixturevalue(who)
    if user.role == Role.CENTRE_STAFF:
        from tests.conftest import enable_totp

        enable_totp(user)
    sign_in(client, user)
    assert client.get(detail_url(enrolment)).status_code == 404
    url = reverse("programmes:enrolment_withdraw", args=[enrolment.pk])
    assert client.post(url, CONFIRMED).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == S.SUBMITTED


def test_anonymous_detail_goes_to_log_in(client, enrolment):
    assert reverse("account_login") in client.get(detail_url(enrolment)).url


def test_promoted_applicant_reads_why_in_their_language_not_as_an_officers_note(
    client, owner, officer
):
    """Promoted when an English-speaking applicant withdraws; the Thai applicant reads Thai."""
    intake = IntakeFactory(capacity=1)
    first = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    leaving = submitted(intake, first, ProductFactory(enterprise=first), owner)
    services.decide_enrolment(enrolment=leaving, by=officer, decision=S.ACCEPTED)
    thai = UserFactory(role=Role.ENTREPRENEUR, language="th")
    second = EnterpriseFactory(owner=thai, status=VerificationStatus.VERIFIED)
    waiting = submitted(intake, second, ProductFactory(enterprise=second), thai)
    assert waiting.status == S.WAITLISTED
    with translation.override("en"):
        services.withdraw_application(enrolment=leaving, by=owner)
    client.force_login(thai)
    page = client.get(detail_url(waiting)).content.decode()
    assert "มีที่ว่างในรุ่นแล้ว" in page
    assert "A place became free." not in page
    assert "หมายเหตุจากเจ้าหน้าที่" not in page


def test_waitlisted_sees_position(client, owner, intake, enterprise, product):
    intake.capacity = 0
    intake.save()
    earlier = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    submitted(intake, earlier, ProductFactory(enterprise=earlier), earlier_owner(earlier))
    enrolment = submitted(intake, enterprise, product, owner)
    client.force_login(owner)
    body = client.get(detail_url(enrolment)).content.decode()
    assert "Waitlisted: number 2 in line." in body


def earlier_owner(enterprise):
    user = UserFactory()
    Member.objects.create(enterprise=enterprise, user=user, full_name="x", role=MemberRole.MEMBER)
    return user


def test_returned_edit_and_resubmit(client, owner, officer, intake, enterprise, product, question):
    enrolment = submitted(intake, enterprise, product, owner, answers={question.pk: "short"})
    services.decide_enrolment(
        enrolment=enrolment, by=officer, decision=S.RETURNED, note="Tell us more about the plan."
    )
    client.force_login(owner)
    body = client.get(detail_url(enrolment)).content.decode()
    assert "Tell us more about the plan." in body
    assert officer.full_name in body
    assert f"?enterprise={enterprise.pk}" in body  # the edit link

    response = client.get(apply_url(intake, enterprise))
    assert response.status_code == 200
    assert response.context["form"].initial[f"question_{question.pk}"] == "short"
    response = client.post(
        apply_url(intake, enterprise),
        {"products": [product.pk], f"question_{question.pk}": "A longer plan", "action": "submit"},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == S.SUBMITTED
    assert enrolment.answers.get().text == "A longer plan"


def test_submit_a_complete_draft_from_its_page(client, owner, intake, enterprise, product):
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    client.force_login(owner)
    url = reverse("programmes:enrolment_submit", args=[draft.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert response.url == detail_url(draft)


def test_submit_an_incomplete_draft_says_why(client, owner, intake, enterprise, question):
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[], answers={}
    )
    client.force_login(owner)
    response = client.post(reverse("programmes:enrolment_submit", args=[draft.pk]))
    assert texts(response) == ["Choose at least one product to upgrade."]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_withdraw_asks_then_withdraws(client, owner, enrolment):
    client.force_login(owner)
    url = reverse("programmes:enrolment_withdraw", args=[enrolment.pk])
    assert "Withdraw the application?" in assert_asks_first(client.get(url))
    # A POST without the page's answer only asks again.
    assert_asks_first(client.post(url))
    enrolment.refresh_from_db()
    assert enrolment.status == S.SUBMITTED
    response = client.post(url, CONFIRMED)
    assert response.url == detail_url(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == S.WITHDRAWN
    assert texts(response) == ["Your application is withdrawn."]
    # Nothing left to withdraw: no button, and the page says so.
    assert client.get(detail_url(enrolment)).context["can_withdraw"] is False
    assert client.post(url).url == detail_url(enrolment)


def test_accepted_application_lists_the_upgrades_that_count(
    client, owner, officer, intake, enterprise, product, enrolment
):
    services.decide_enrolment(enrolment=enrolment, by=officer, decision=S.ACCEPTED)
    opened = timezone.localdate(intake.opens_at)
    UpgradeRecordFactory(product=product, started_on=opened, summary="New rooster pattern")
    UpgradeRecordFactory(
        product=product, started_on=opened - dt.timedelta(days=1), summary="Old glaze work"
    )
    client.force_login(owner)
    body = client.get(detail_url(enrolment)).content.decode()
    assert "Holds a place in the intake." in body
    assert "New rooster pattern" in body
    assert "Old glaze work" not in body


# --- My applications -----------------------------------------------------------------------


def test_my_applications_lists_every_enterprise_with_state(client, owner, enterprise, product):
    other = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    full = IntakeFactory(capacity=0)
    submitted(IntakeFactory(), enterprise, product, owner)
    submitted(full, other, ProductFactory(enterprise=other), owner)
    foreign = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    Enrolment.objects.create(intake=full, enterprise=foreign, status=S.SUBMITTED)
    client.force_login(owner)
    response = client.get(reverse("programmes:my_applications"))
    rows = list(response.context["page"])
    assert {e.enterprise for e in rows} == {enterprise, other}
    assert "number 1 in line" in response.content.decode()


def test_my_applications_query_count_does_not_grow(
    client, owner, enterprise, django_assert_max_num_queries
):
    def add_applications(n):
        for _ in range(n):
            intake = IntakeFactory(capacity=0)
            submitted(intake, enterprise, ProductFactory(enterprise=enterprise), owner)

    client.force_login(owner)
    add_applications(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("programmes:my_applications"))
    add_applications(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("programmes:my_applications"))
    assert len(response.context["page"]) == 12


def test_my_applications_needs_login(client):
    assert reverse("account_login") in client.get(reverse("programmes:my_applications")).url


def test_pages_render_in_thai(client, owner, enrolment, intake):
    owner.language = "th"
    owner.save()
    client.force_login(owner)
    for url in (detail_url(enrolment), reverse("programmes:my_applications")):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "th"
