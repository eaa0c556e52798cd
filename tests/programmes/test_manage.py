"""Officers run partners, programmes (with partners and states) and intakes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import EnterpriseKind
from programmes import services
from programmes.exceptions import EnrolmentError, TransitionRefused
from programmes.models import (
    Enrolment,
    EnrolmentAnswer,
    EnrolmentStatus,
    Intake,
    IntakeQuestion,
    Partner,
    PartnerKind,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeStatus,
)
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory, IntakeFactory, ProgrammeFactory, category
from toolkit.models import AuditEntry

S = ProgrammeStatus


@pytest.fixture
def programme(db):
    return ProgrammeFactory(status=S.DRAFT)


@pytest.fixture
def partner(db):
    return Partner.objects.create(
        name_th="มหาวิทยาลัยธรรมศาสตร์ ศูนย์ลำปาง",
        name_en="Thammasat University Lampang Centre",
        kind=PartnerKind.UNIVERSITY,
    )


def take_places(intake, count, status=EnrolmentStatus.ACCEPTED):
    now = timezone.now()
    return [
        Enrolment.objects.create(
            intake=intake, enterprise=EnterpriseFactory(), status=status, submitted_at=now
        )
        for _ in range(count)
    ]


def audit_actions(target):
    return list(
        AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Who may use the pages ---------------------------------------------------------------

OFFICER_PAGES = [
    ("programmes:programme_manage_list", False),
    ("programmes:programme_create", False),
    ("programmes:partner_list", False),
    ("programmes:partner_create", False),
    ("programmes:programme_manage", True),
    ("programmes:programme_update", True),
    ("programmes:intake_create", True),
]


def page_url(name, needs_programme, programme):
    return reverse(name, args=[programme.pk] if needs_programme else [])


@pytest.mark.parametrize(("name", "needs_programme"), OFFICER_PAGES)
def test_officer_pages_work_for_officers(officer_client, programme, name, needs_programme):
    assert officer_client.get(page_url(name, needs_programme, programme)).status_code == 200


@pytest.mark.parametrize(("name", "needs_programme"), OFFICER_PAGES)
@pytest.mark.parametrize("person", ["owner", "faculty", "student", "staff_2fa"])
def test_officer_pages_refuse_other_roles(
    client, request, programme, person, name, needs_programme
):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(page_url(name, needs_programme, programme)).status_code == 403


@pytest.mark.parametrize(("name", "needs_programme"), OFFICER_PAGES)
def test_officer_pages_send_anonymous_visitors_to_sign_in(client, programme, name, needs_programme):
    response = client.get(page_url(name, needs_programme, programme))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_officer_without_two_factor_is_sent_to_set_it_up(client, officer, programme):
    sign_in(client, officer)
    response = client.get(reverse("programmes:programme_manage_list"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_intake_edit_refuses_entrepreneur(client, owner):
    client.force_login(owner)
    intake = IntakeFactory()
    assert client.get(reverse("programmes:intake_update", args=[intake.pk])).status_code == 403


def test_entrepreneur_cannot_change_a_programme_state(client, owner, programme):
    client.force_login(owner)
    url = reverse("programmes:programme_status", args=[programme.pk])
    assert client.post(url, {"status": S.ACTIVE}).status_code == 403
    programme.refresh_from_db()
    assert programme.status == S.DRAFT
    with pytest.raises(EnrolmentError):
        services.set_programme_status(programme=programme, by=owner, status=S.ACTIVE)


# --- Partners ----------------------------------------------------------------------------


def test_partner_create_saves_and_audits(officer_client, officer_2fa):
    response = officer_client.post(
        reverse("programmes:partner_create"),
        {
            "name_th": "องค์การความร่วมมือระหว่างประเทศของญี่ปุ่น",
            "name_en": "JICA",
            "kind": PartnerKind.INTERNATIONAL,
            "country": " jp ",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name_en="JICA")
    assert partner.country == "JP"
    assert audit_actions(partner) == ["partner.created"]


@pytest.mark.parametrize("country", ["THA", "T1", "ไท", ""])
def test_partner_create_refuses_a_country_that_is_not_an_iso_code(officer_client, country):
    response = officer_client.post(
        reverse("programmes:partner_create"),
        {"name_th": "บริษัท ทดสอบ", "kind": PartnerKind.COMPANY, "country": country},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["country"]
    assert not Partner.objects.exists()


def test_partner_edit_records_what_changed(officer_client, partner):
    response = officer_client.post(
        reverse("programmes:partner_update", args=[partner.pk]),
        {
            "name_th": partner.name_th,
            "name_en": "TU Lampang",
            "kind": partner.kind,
            "country": "TH",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="partner.changed")
    assert entry.data["fields"] == ["name_en"]


def test_partner_list_queries_do_not_grow(officer_client, django_assert_max_num_queries):
    for n in range(30):
        Partner.objects.create(name_th=f"หน่วยงาน {n}", kind=PartnerKind.GOVERNMENT)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("programmes:partner_list"))
    assert len(response.context["page_obj"]) == 25


# --- Programmes --------------------------------------------------------------------------

PROGRAMME_DATA = {
    "title_th": "โครงการพัฒนาเครื่องปั้นดินเผาลำปาง",
    "title_en": "Lampang ceramics development",
    "description_th": "ยกระดับผลิตภัณฑ์ชุมชน",
    "description_en": "Upgrading community products",
    "fiscal_year": "2570",
    "policy": "DIPROM CARE",
    "lead_agency": "กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)",
    "target_enterprises": "20",
    "target_design": "10",
    "target_standards": "5",
    "target_usability": "5",
    "target_innovation": "3",
    "target_revenue_uplift": "15.5",
}


def test_programme_create_starts_as_a_draft(officer_client, officer_2fa):
    response = officer_client.post(reverse("programmes:programme_create"), PROGRAMME_DATA)
    programme = Programme.objects.get()
    assert response["Location"] == reverse("programmes:programme_manage", args=[programme.pk])
    assert programme.status == S.DRAFT
    assert programme.fiscal_year == 2570
    assert programme.created_by == officer_2fa
    assert audit_actions(programme) == ["programme.created"]


@pytest.mark.parametrize("year", ["2026", "2499", "25700", "two"])
def test_programme_create_refuses_a_fiscal_year_not_in_buddhist_era(officer_client, year):
    response = officer_client.post(
        reverse("programmes:programme_create"), {**PROGRAMME_DATA, "fiscal_year": year}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["fiscal_year"]
    assert not Programme.objects.exists()


def test_programme_create_says_the_fiscal_year_is_in_buddhist_era(officer_client):
    response = officer_client.post(
        reverse("programmes:programme_create"), {**PROGRAMME_DATA, "fiscal_year": "2026"}
    )
    # Untranslated until the lead's pass; either language names an example B.E. year.
    assert "2570" in str(response.context["form"].errors["fiscal_year"])


def test_programme_edit_keeps_its_state(officer_client, programme):
    programme.status = S.ACTIVE
    programme.save()
    url = reverse("programmes:programme_update", args=[programme.pk])
    response = officer_client.post(url, {**PROGRAMME_DATA, "title_en": "New title"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title_en == "New title"
    assert programme.status == S.ACTIVE
    assert AuditEntry.objects.get(action="programme.changed").data["fields"]


def test_archived_programme_cannot_be_edited(officer_client, officer_2fa, programme):
    Programme.objects.filter(pk=programme.pk).update(status=S.ARCHIVED)
    url = reverse("programmes:programme_update", args=[programme.pk])
    response = officer_client.post(url, {**PROGRAMME_DATA, "title_en": "Changed"})
    assert response.status_code == 200
    assert "เก็บถาวร" in str(response.context["form"].non_field_errors())
    programme.refresh_from_db()
    assert programme.title_en != "Changed"


@pytest.mark.parametrize(
    ("start", "to"),
    [(S.DRAFT, S.ACTIVE), (S.ACTIVE, S.CLOSED), (S.CLOSED, S.ACTIVE), (S.CLOSED, S.ARCHIVED)],
)
def test_programme_state_moves_forward_and_reopens(officer_client, programme, start, to):
    Programme.objects.filter(pk=programme.pk).update(status=start)
    response = officer_client.post(
        reverse("programmes:programme_status", args=[programme.pk]), {"status": to, **CONFIRMED}
    )
    assert response["Location"] == reverse("programmes:programme_manage", args=[programme.pk])
    programme.refresh_from_db()
    assert programme.status == to
    entry = AuditEntry.objects.get(action="programme.status_changed")
    assert entry.data == {"from_status": start, "status": to}


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.DRAFT, S.CLOSED),
        (S.DRAFT, S.ARCHIVED),
        (S.ACTIVE, S.DRAFT),
        (S.ACTIVE, S.ARCHIVED),
        (S.CLOSED, S.DRAFT),
        (S.ARCHIVED, S.ACTIVE),
        (S.ACTIVE, S.ACTIVE),
        (S.DRAFT, "finished"),
    ],
)
def test_programme_state_refuses_other_moves(officer_client, officer_2fa, programme, start, to):
    Programme.objects.filter(pk=programme.pk).update(status=start)
    programme.refresh_from_db()
    with pytest.raises(TransitionRefused):
        services.set_programme_status(programme=programme, by=officer_2fa, status=to)
    response = officer_client.post(
        reverse("programmes:programme_status", args=[programme.pk]), {"status": to}, follow=True
    )
    assert list(response.context["messages"])[0].level_tag == "error"
    programme.refresh_from_db()
    assert programme.status == start
    assert not AuditEntry.objects.filter(action="programme.status_changed").exists()


def test_archiving_a_programme_asks_first(officer_client, programme):
    Programme.objects.filter(pk=programme.pk).update(status=S.CLOSED)
    url = reverse("programmes:programme_status", args=[programme.pk])
    # The state buttons' one-tap POST only asks, and the question posts the state again.
    html = assert_asks_first(officer_client.post(url, {"status": S.ARCHIVED}))
    assert 'name="status" value="archived"' in html
    programme.refresh_from_db()
    assert programme.status == S.CLOSED
    # Moves that can be reversed need no question.
    assert officer_client.post(url, {"status": S.ACTIVE}).status_code == 302


def test_programme_status_refuses_get(officer_client, programme):
    url = reverse("programmes:programme_status", args=[programme.pk])
    assert officer_client.get(url).status_code == 405


def test_programme_page_offers_only_allowed_moves(officer_client, programme):
    Programme.objects.filter(pk=programme.pk).update(status=S.CLOSED)
    response = officer_client.get(reverse("programmes:programme_manage", args=[programme.pk]))
    assert [m.value for m in response.context["moves"]] == [S.ACTIVE, S.ARCHIVED]


def test_programme_partner_add_and_remove(officer_client, programme, partner):
    add = reverse("programmes:programme_partner_add", args=[programme.pk])
    response = officer_client.post(
        add,
        {
            "partner": partner.pk,
            "role": PartnerRole.FACILITY_HOST,
            "agreement_reference": "MOU 12/2569",
        },
    )
    assert response.status_code == 302
    partnership = ProgrammePartner.objects.get()
    assert partnership.agreement_reference == "MOU 12/2569"

    again = officer_client.post(add, {"partner": partner.pk, "role": PartnerRole.FACILITY_HOST})
    assert again.status_code == 200
    assert again.context["partner_form"].non_field_errors()
    assert ProgrammePartner.objects.count() == 1

    remove = reverse("programmes:programme_partner_remove", args=[programme.pk, partnership.pk])
    manage = officer_client.get(reverse("programmes:programme_manage", args=[programme.pk])).text
    assert f'href="{remove}"' in manage
    assert partner.name in assert_asks_first(officer_client.get(remove))
    assert_asks_first(officer_client.post(remove))
    assert ProgrammePartner.objects.exists()
    assert officer_client.post(remove, CONFIRMED).status_code == 302
    assert not ProgrammePartner.objects.exists()
    assert audit_actions(programme) == ["programme.partner_added", "programme.partner_removed"]


def test_programme_partner_remove_checks_the_programme(officer_client, programme, partner):
    other = ProgrammeFactory()
    partnership = ProgrammePartner.objects.create(
        programme=other, partner=partner, role=PartnerRole.LEAD
    )
    url = reverse("programmes:programme_partner_remove", args=[programme.pk, partnership.pk])
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, CONFIRMED).status_code == 404
    assert ProgrammePartner.objects.exists()


def test_programme_manage_list_shows_every_state_and_queries_do_not_grow(
    officer_client, django_assert_max_num_queries
):
    for n in range(30):
        programme = ProgrammeFactory(title_th=f"โครงการ {n:02d}", status=S.values[n % 4])
        IntakeFactory(programme=programme)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("programmes:programme_manage_list"))
    assert len(response.context["page_obj"]) == 25
    drafts = officer_client.get(reverse("programmes:programme_manage_list"), {"status": S.DRAFT})
    assert {p.status for p in drafts.context["page_obj"]} == {S.DRAFT}


# --- Intakes -----------------------------------------------------------------------------


def intake_data(**changes):
    data = {
        "name_th": "รุ่นที่ 1",
        "name_en": "Cohort 1",
        "opens_on": "1/12/2569",
        "opens_time": "08:30",
        "closes_on": "31/1/2570",
        "closes_time": "16:30",
        "capacity": "10",
        "verified_only": "on",
        "eligible_provinces": ["52"],
        "eligible_kinds": [EnterpriseKind.COMMUNITY_ENTERPRISE, EnterpriseKind.OTOP_GROUP],
        "eligible_categories": [category("tableware-stoneware").pk],
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-0-text_th": "ผลิตภัณฑ์ใดที่ต้องการยกระดับ",
        "questions-0-text_en": "Which product do you want to upgrade?",
        "questions-0-required": "on",
        "questions-1-text_th": "",
        "questions-1-text_en": "",
        "questions-1-required": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_intake_create_reads_buddhist_era_dates_and_eligibility(officer_client, programme):
    response = officer_client.post(
        reverse("programmes:intake_create", args=[programme.pk]), intake_data()
    )
    assert response["Location"] == reverse("programmes:programme_manage", args=[programme.pk])
    intake = Intake.objects.get()
    opens = timezone.localtime(intake.opens_at)
    assert (opens.year, opens.month, opens.day, opens.hour, opens.minute) == (2026, 12, 1, 8, 30)
    assert timezone.localtime(intake.closes_at).date() == dt.date(2027, 1, 31)
    assert intake.capacity == 10
    assert [p.code for p in intake.eligible_provinces.all()] == ["52"]
    assert intake.eligible_kinds == [EnterpriseKind.COMMUNITY_ENTERPRISE, EnterpriseKind.OTOP_GROUP]
    assert [c.code for c in intake.eligible_categories.all()] == ["tableware-stoneware"]
    assert [q.text_en for q in intake.questions.all()] == ["Which product do you want to upgrade?"]
    assert audit_actions(intake) == ["intake.created"]


def test_intake_edit_shows_the_window_in_buddhist_era(officer_client):
    intake = IntakeFactory(
        opens_at=dt.datetime(2026, 12, 1, 8, 30, tzinfo=timezone.get_current_timezone()),
        closes_at=dt.datetime(2027, 1, 31, 16, 30, tzinfo=timezone.get_current_timezone()),
    )
    response = officer_client.get(reverse("programmes:intake_update", args=[intake.pk]))
    page = response.content.decode()
    assert 'value="01/12/2569"' in page
    assert 'value="31/01/2570"' in page
    assert 'value="08:30' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_on": "1/12/2569", "closes_time": "08:00"}, "closes_on"),
        ({"closes_on": "1/12/2569", "closes_time": "08:30"}, "closes_on"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": ""}, "capacity"),
        ({"opens_on": "31/2/2569"}, "opens_on"),
        ({"opens_time": "25:00"}, "opens_time"),
        ({"name_th": ""}, "name_th"),
        ({"eligible_provinces": ["99"]}, "eligible_provinces"),
        ({"eligible_kinds": ["factory"]}, "eligible_kinds"),
    ],
)
def test_intake_create_refuses_bad_input(officer_client, programme, changes, field):
    response = officer_client.post(
        reverse("programmes:intake_create", args=[programme.pk]), intake_data(**changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Intake.objects.exists()


def test_intake_create_refuses_a_question_without_thai_text(officer_client, programme):
    response = officer_client.post(
        reverse("programmes:intake_create", args=[programme.pk]),
        intake_data(**{"questions-0-text_th": ""}),
    )
    assert response.status_code == 200
    assert response.context["questions"].errors[0]["text_th"]
    assert not Intake.objects.exists()


def edit_data(intake, **changes):
    """The edit form as posted, with the intake's questions as the formset's first rows."""
    questions = list(intake.questions.all())
    data = intake_data(**{"questions-TOTAL_FORMS": str(len(questions) + 1)})
    data["questions-INITIAL_FORMS"] = str(len(questions))
    for key in [k for k in data if k.startswith(("questions-0-", "questions-1-"))]:
        del data[key]
    for index, question in enumerate(questions):
        data.update(
            {
                f"questions-{index}-id": str(question.pk),
                f"questions-{index}-intake": str(intake.pk),
                f"questions-{index}-text_th": question.text_th,
                f"questions-{index}-text_en": question.text_en,
                f"questions-{index}-required": "on",
            }
        )
    # The empty row for a new question, as a browser posts it: "required" ticked.
    data[f"questions-{len(questions)}-required"] = "on"
    data.update(changes)
    return data


def test_intake_capacity_cannot_go_below_places_taken(officer_client, officer_2fa):
    intake = IntakeFactory(capacity=5)
    take_places(intake, 3)
    url = reverse("programmes:intake_update", args=[intake.pk])
    response = officer_client.post(url, edit_data(intake, capacity="2"))
    assert response.status_code == 200
    assert "3" in str(response.context["form"].errors["capacity"])
    intake.refresh_from_db()
    assert intake.capacity == 5

    intake.capacity = 2
    with pytest.raises(EnrolmentError):
        services.save_intake(intake=intake, by=officer_2fa)
    intake.refresh_from_db()
    assert intake.capacity == 5

    assert officer_client.post(url, edit_data(intake, capacity="3")).status_code == 302
    intake.refresh_from_db()
    assert intake.capacity == 3


def test_more_places_move_the_waitlist_up(officer_client):
    intake = IntakeFactory(capacity=1)
    take_places(intake, 1)
    (waiting,) = take_places(intake, 1, status=EnrolmentStatus.WAITLISTED)
    url = reverse("programmes:intake_update", args=[intake.pk])
    assert officer_client.post(url, edit_data(intake, capacity="2")).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ACCEPTED


def test_editing_an_intake_without_new_places_leaves_the_waitlist(officer_client):
    """Someone waitlisted on purpose while places were free stays waitlisted."""
    intake = IntakeFactory(capacity=3)
    take_places(intake, 1)
    (waiting,) = take_places(intake, 1, status=EnrolmentStatus.WAITLISTED)
    url = reverse("programmes:intake_update", args=[intake.pk])
    data = edit_data(intake, capacity="3", name_en="Cohort 1 (corrected)")
    assert officer_client.post(url, data).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.WAITLISTED


def test_intake_questions_are_edited_added_and_removed(officer_client):
    intake = IntakeFactory()
    keep = IntakeQuestion.objects.create(intake=intake, text_th="ข้อ 1", position=0)
    drop = IntakeQuestion.objects.create(intake=intake, text_th="ข้อ 2", position=1)
    data = edit_data(
        intake,
        **{
            "questions-0-text_th": "ข้อ 1 แก้ไข",
            "questions-1-DELETE": "on",
            "questions-2-text_th": "ข้อ 3",
            "questions-2-required": "",
        },
    )
    url = reverse("programmes:intake_update", args=[intake.pk])
    assert officer_client.post(url, data).status_code == 302
    questions = list(intake.questions.all())
    assert [(q.text_th, q.required) for q in questions] == [("ข้อ 1 แก้ไข", True), ("ข้อ 3", False)]
    assert questions[0].pk == keep.pk
    assert not IntakeQuestion.objects.filter(pk=drop.pk).exists()


def test_an_answered_question_cannot_be_removed(officer_client):
    intake = IntakeFactory()
    question = IntakeQuestion.objects.create(intake=intake, text_th="ข้อ 1")
    (enrolment,) = take_places(intake, 1, status=EnrolmentStatus.SUBMITTED)
    EnrolmentAnswer.objects.create(enrolment=enrolment, question=question, text="ชามตราไก่")
    url = reverse("programmes:intake_update", args=[intake.pk])
    response = officer_client.post(url, edit_data(intake, **{"questions-0-DELETE": "on"}))
    assert response.status_code == 200
    assert response.context["questions"].non_form_errors()
    assert IntakeQuestion.objects.filter(pk=question.pk).exists()


def test_archived_programme_takes_no_new_intake(officer_client, programme):
    Programme.objects.filter(pk=programme.pk).update(status=S.ARCHIVED)
    url = reverse("programmes:intake_create", args=[programme.pk])
    assert officer_client.post(url, intake_data()).status_code == 404
    assert not Intake.objects.exists()


def test_programme_page_shows_places_taken(officer_client):
    intake = IntakeFactory(capacity=4)
    take_places(intake, 2)
    take_places(intake, 1, status=EnrolmentStatus.SUBMITTED)
    response = officer_client.get(
        reverse("programmes:programme_manage", args=[intake.programme.pk])
    )
    assert [i.places_taken_count for i in response.context["intakes"]] == [2]
