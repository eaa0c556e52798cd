"""Public programme pages: what anyone may read, and who may apply in plain words."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from entrepreneurs.models import EnterpriseKind, Province
from programmes.models import (
    Intake,
    IntakeQuestion,
    Partner,
    PartnerKind,
    PartnerRole,
    ProgrammePartner,
    ProgrammeStatus,
)
from tests.conftest import sign_in
from tests.factories import IntakeFactory, ProgrammeFactory, category

S = ProgrammeStatus
LIST = reverse("programmes:programme_list")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def detail(programme):
    return reverse("programmes:programme_detail", args=[programme.pk])


def intake_url(intake):
    return reverse("programmes:intake_detail", args=[intake.pk])


def past_intake(programme, **kwargs):
    now = timezone.now()
    return IntakeFactory(
        programme=programme,
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        **kwargs,
    )


# --- Eligibility in plain words ----------------------------------------------------------


def test_eligibility_in_words_names_each_rule(db):
    intake = IntakeFactory(
        verified_only=True,
        eligible_kinds=[EnterpriseKind.COMMUNITY_ENTERPRISE, EnterpriseKind.OTOP_GROUP],
    )
    intake.eligible_provinces.set([Province.objects.get(code="52")])
    intake.eligible_categories.set([category("tableware")])
    with translation.override("en"):
        words = [str(rule) for rule in intake.eligibility_in_words()]
    assert words == [
        "Verified enterprises only",
        "Enterprises in Lampang",
        "Community enterprises and OTOP producer groups",
        "Products in: Tableware",
    ]


def test_eligibility_in_words_lists_several_provinces(db):
    intake = IntakeFactory(verified_only=False)
    intake.eligible_provinces.set(Province.objects.filter(code__in=["50", "52", "54"]))
    with translation.override("en"):
        (words,) = [str(rule) for rule in intake.eligibility_in_words()]
    assert words.startswith("Enterprises in ")
    assert words.count(",") == 1 and " and " in words
    assert "Lampang" in words


def test_eligibility_in_words_says_open_to_all_without_rules(db):
    intake = IntakeFactory(verified_only=False)
    with translation.override("en"):
        assert [str(rule) for rule in intake.eligibility_in_words()] == ["Open to every enterprise"]


# --- The list ----------------------------------------------------------------------------


def test_list_shows_active_programmes_with_open_intakes_only(client, db):
    active = ProgrammeFactory(title_th="โครงการเปิดรับ")
    open_intake = IntakeFactory(programme=active, name_th="รุ่นเปิด")
    past_intake(active, name_th="รุ่นปิดแล้ว")
    ProgrammeFactory(title_th="โครงการร่าง", status=S.DRAFT)
    ProgrammeFactory(title_th="โครงการเก็บถาวร", status=S.ARCHIVED)
    recent = ProgrammeFactory(title_th="โครงการปิดล่าสุด", status=S.CLOSED)
    ProgrammeFactory(title_th="โครงการปิดนานแล้ว", status=S.CLOSED, fiscal_year=2560)

    response = client.get(LIST)
    assert response.status_code == 200
    programmes = list(response.context["page_obj"])
    assert set(programmes) == {active, recent}
    shown = next(p for p in programmes if p == active)
    assert shown.open_intakes == [open_intake]
    page = response.content.decode()
    assert "รุ่นเปิด" in page
    assert "รุ่นปิดแล้ว" not in page
    assert "โครงการร่าง" not in page


def test_list_links_open_intakes_to_apply(client, db):
    intake = IntakeFactory()
    response = client.get(LIST)
    assert reverse("programmes:intake_apply", args=[intake.pk]) in response.content.decode()


def test_list_shows_deadline_in_buddhist_era(client, db):
    IntakeFactory(
        closes_at=dt.datetime(2027, 1, 31, 16, 30, tzinfo=timezone.get_current_timezone())
    )
    assert "31 ม.ค. 2570 16:30" in client.get(LIST).content.decode()


def test_list_reads_in_english(english, db):
    intake = IntakeFactory(
        closes_at=dt.datetime(2027, 1, 31, 16, 30, tzinfo=timezone.get_current_timezone())
    )
    intake.eligible_provinces.set([Province.objects.get(code="52")])
    page = english.get(LIST).content.decode()
    assert "Creative industrial materials and craft industry upgrading" in page
    assert "31 Jan 2027 16:30" in page
    assert "Enterprises in Lampang" in page


def test_list_queries_do_not_grow_with_programmes_and_intakes(
    client, db, django_assert_max_num_queries, settings
):
    settings.PUBLIC_PAGE_SECONDS = 0  # the page's own queries, under the whole-page cache
    lampang = Province.objects.get(code="52")
    tableware = category("tableware")
    for n in range(15):
        programme = ProgrammeFactory(title_th=f"โครงการ {n:02d}")
        ProgrammePartner.objects.create(
            programme=programme,
            partner=Partner.objects.create(name_th=f"ภาคี {n}", kind=PartnerKind.UNIVERSITY),
            role=PartnerRole.LEAD,
        )
        for _ in range(3):
            intake = IntakeFactory(programme=programme)
            intake.eligible_provinces.set([lampang])
            intake.eligible_categories.set([tableware])
            IntakeQuestion.objects.create(intake=intake, text_th="คำถาม")
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == 15
    assert (
        response.content.decode().count("Lampang") + response.content.decode().count("ลำปาง") >= 45
    )


# --- A programme and an intake -----------------------------------------------------------


@pytest.mark.parametrize("status", [S.ACTIVE, S.CLOSED])
def test_detail_is_public_for_active_and_closed(client, db, status):
    programme = ProgrammeFactory(status=status)
    assert client.get(detail(programme)).status_code == 200


@pytest.mark.parametrize("status", [S.DRAFT, S.ARCHIVED])
@pytest.mark.parametrize("person", [None, "owner", "faculty", "staff_2fa"])
def test_detail_hides_drafts_and_archived_from_all_but_officers(
    client, db, request, status, person
):
    if person:
        sign_in(client, request.getfixturevalue(person))
    programme = ProgrammeFactory(status=status)
    intake = IntakeFactory(programme=programme)
    assert client.get(detail(programme)).status_code == 404
    assert client.get(intake_url(intake)).status_code == 404


@pytest.mark.parametrize("status", [S.DRAFT, S.ARCHIVED])
def test_officers_see_drafts_and_archived(officer_client, status):
    programme = ProgrammeFactory(status=status)
    intake = IntakeFactory(programme=programme)
    response = officer_client.get(detail(programme))
    assert response.status_code == 200
    assert reverse("programmes:programme_manage", args=[programme.pk]) in response.content.decode()
    assert officer_client.get(intake_url(intake)).status_code == 200


def test_detail_shows_partners_intakes_and_eligibility(english, db):
    programme = ProgrammeFactory(description_en="Design, standards, usability, innovation.")
    partner = Partner.objects.create(
        name_th="ศูนย์วิจัยวัสดุเกาะคา", name_en="Ko Kha materials centre", kind=PartnerKind.UNIVERSITY
    )
    ProgrammePartner.objects.create(
        programme=programme, partner=partner, role=PartnerRole.FACILITY_HOST
    )
    open_intake = IntakeFactory(programme=programme, name_en="Cohort open", capacity=12)
    open_intake.eligible_kinds = [EnterpriseKind.COMMUNITY_ENTERPRISE, EnterpriseKind.OTOP_GROUP]
    open_intake.save()
    closed = past_intake(programme, name_en="Cohort past")
    page = english.get(detail(programme)).content.decode()
    assert "Design, standards, usability, innovation." in page
    assert "Facility host" in page and "Ko Kha materials centre" in page
    assert "Cohort open" in page and "Cohort past" in page
    assert "12 places" in page
    assert "Community enterprises and OTOP producer groups" in page
    assert "Verified enterprises only" in page
    assert reverse("programmes:intake_apply", args=[open_intake.pk]) in page
    assert reverse("programmes:intake_apply", args=[closed.pk]) not in page


def test_detail_names_the_lead_agency_once(english, db):
    programme = ProgrammeFactory(lead_agency="กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)")
    diprom = Partner.objects.create(
        name_th="กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)", name_en="DIPROM", kind=PartnerKind.GOVERNMENT
    )
    funder = Partner.objects.create(name_th="กองทุน", name_en="Craft fund")
    for partner, role in [(diprom, PartnerRole.LEAD), (funder, PartnerRole.LEAD)]:
        ProgrammePartner.objects.create(programme=programme, partner=partner, role=role)
    page = english.get(detail(programme)).content.decode()
    assert page.count("กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)") == 1
    assert "DIPROM</dd>" not in page
    assert "Craft fund" in page


def test_detail_says_when_every_place_is_taken(english, db):
    from programmes.models import Enrolment, EnrolmentStatus
    from tests.factories import EnterpriseFactory

    intake = IntakeFactory(capacity=1)
    Enrolment.objects.create(
        intake=intake, enterprise=EnterpriseFactory(), status=EnrolmentStatus.ACCEPTED
    )
    page = english.get(detail(intake.programme)).content.decode()
    assert "waitlist" in page


def test_closed_programme_offers_no_apply_button(client, db):
    programme = ProgrammeFactory(status=S.CLOSED)
    intake = IntakeFactory(programme=programme)
    page = client.get(intake_url(intake)).content.decode()
    assert reverse("programmes:intake_apply", args=[intake.pk]) not in page


@pytest.mark.parametrize(
    "who, offered",
    [("owner", True), ("faculty", False), ("student", False), ("centre_staff", False)],
)
def test_apply_button_only_for_those_who_can_apply(client, request, who, offered):
    """Entrepreneurs apply; students, faculty and centre staff are not led to a dead end."""
    sign_in(client, request.getfixturevalue(who))
    intake = IntakeFactory()
    page = client.get(intake_url(intake)).content.decode()
    assert (reverse("programmes:intake_apply", args=[intake.pk]) in page) is offered


def test_intake_detail_shows_questions_and_apply(english, db):
    intake = IntakeFactory(name_en="Cohort 9")
    IntakeQuestion.objects.create(
        intake=intake, text_th="ข้อ", text_en="What do you make?", required=False
    )
    response = english.get(intake_url(intake))
    page = response.content.decode()
    assert "Cohort 9" in page
    assert "What do you make?" in page and "optional" in page
    assert reverse("programmes:intake_apply", args=[intake.pk]) in page


def test_unknown_intake_is_404(client, db):
    assert client.get(reverse("programmes:intake_detail", args=[999])).status_code == 404
    assert not Intake.objects.exists()
