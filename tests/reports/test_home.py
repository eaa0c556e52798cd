import pytest
from django.urls import reverse

from entrepreneurs.models import VerificationStatus
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory, ProductFactory, UpgradeRecordFactory


def test_entrepreneur_home_shows_own_enterprises_products_and_latest_upgrade(
    client, owner, outsider
):
    mine = EnterpriseFactory(owner=owner, name_th="วิสาหกิจของฉัน")
    EnterpriseFactory(owner=outsider, name_th="วิสาหกิจคนอื่น")
    product = ProductFactory(enterprise=mine, name_th="ชามไก่ของฉัน")
    UpgradeRecordFactory(product=product)
    client.force_login(owner)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert "วิสาหกิจของฉัน" in page.text
    assert "ชามไก่ของฉัน" in page.text
    assert "วิสาหกิจคนอื่น" not in page.text
    assert reverse("products:product_create", args=[mine.pk]) in page.text


def test_entrepreneur_without_enterprise_is_invited_to_register(client, owner):
    client.force_login(owner)
    page = client.get(reverse("home"))
    assert reverse("entrepreneurs:enterprise_create") in page.text


def test_entrepreneur_home_query_count_does_not_grow(client, owner, django_assert_max_num_queries):
    enterprise = EnterpriseFactory(owner=owner)
    client.force_login(owner)
    ProductFactory(enterprise=enterprise)
    # 14, the courses (my courses, my certificates) and the lab (clearances, bookable resources).
    with django_assert_max_num_queries(18):
        client.get(reverse("home"))
    for _ in range(10):
        UpgradeRecordFactory(product=ProductFactory(enterprise=enterprise))
    with django_assert_max_num_queries(18):
        client.get(reverse("home"))


def test_officer_home_lists_enterprises_waiting_for_verification(officer_client):
    EnterpriseFactory(name_th="รอตรวจสอบ", status=VerificationStatus.UNVERIFIED)
    EnterpriseFactory(name_th="ตรวจแล้ว", status=VerificationStatus.VERIFIED)
    page = officer_client.get(reverse("home"))
    assert page.status_code == 200
    assert "รอตรวจสอบ" in page.text
    assert "ตรวจแล้ว" not in page.text
    assert reverse("entrepreneurs:enterprise_list") + "?status=unverified" in page.text


@pytest.mark.parametrize("person", ["staff_2fa", "faculty", "student"])
def test_other_roles_reach_the_material_library_from_home(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    page = client.get(reverse("home"))
    assert reverse("products:material_list") in page.text


def test_entrepreneur_home_lists_applications_and_open_intakes(client, owner):
    from programmes.models import Enrolment, EnrolmentStatus
    from tests.factories import IntakeFactory

    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    intake = IntakeFactory(name_th="รุ่นเปิดรับ")
    other = IntakeFactory(name_th="รุ่นที่สมัครแล้ว")
    Enrolment.objects.create(intake=other, enterprise=enterprise, status=EnrolmentStatus.SUBMITTED)
    client.force_login(owner)
    page = client.get(reverse("home"))
    assert "รุ่นที่สมัครแล้ว" in page.text
    assert intake.get_absolute_url() in page.text


def test_officer_home_counts_applications_to_review(officer_client):
    from programmes.models import Enrolment, EnrolmentStatus
    from tests.factories import IntakeFactory

    intake = IntakeFactory()
    for status in (
        EnrolmentStatus.SUBMITTED,
        EnrolmentStatus.UNDER_REVIEW,
        EnrolmentStatus.ACCEPTED,
    ):
        Enrolment.objects.create(intake=intake, enterprise=EnterpriseFactory(), status=status)
    page = officer_client.get(reverse("home"))
    assert reverse("programmes:review_queue") in page.text
    assert page.context["to_review"] == 2


# --- The public landing page --------------------------------------------------------------


def _showcased(name, *, upgraded=True, verified=True):
    from django.utils import timezone

    from products.models import ProductStatus

    status = VerificationStatus.VERIFIED if verified else VerificationStatus.UNVERIFIED
    product = ProductFactory(
        enterprise=EnterpriseFactory(status=status),
        status=ProductStatus.PUBLISHED,
        published_at=timezone.now(),
        name_th=name,
    )
    if upgraded:
        UpgradeRecordFactory(product=product)
    return product


def test_landing_shows_open_intakes_with_their_deadlines(client, db):
    from datetime import timedelta

    from django.utils import timezone, translation

    from programmes.models import ProgrammeStatus
    from tests.factories import IntakeFactory, ProgrammeFactory
    from toolkit.thaidates import format_datetime

    open_intake = IntakeFactory(name_th="รุ่นเปิดรับตอนนี้")
    IntakeFactory(name_th="รุ่นที่ปิดแล้ว", closes_at=timezone.now() - timedelta(days=1))
    IntakeFactory(
        name_th="รุ่นของโครงการร่าง", programme=ProgrammeFactory(status=ProgrammeStatus.DRAFT)
    )
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert open_intake.get_absolute_url() in page.text
    assert "รุ่นเปิดรับตอนนี้" in page.text
    with translation.override("th"):
        assert format_datetime(open_intake.closes_at) in page.text
    assert "รุ่นที่ปิดแล้ว" not in page.text
    assert "รุ่นของโครงการร่าง" not in page.text


def test_landing_shows_upgraded_products_of_the_showcase_only(client, db):
    upgraded = _showcased("แจกันที่ยกระดับแล้ว")
    _showcased("ชามที่ยังไม่ยกระดับ", upgraded=False)
    _showcased("ถ้วยของวิสาหกิจที่ยังไม่ตรวจ", verified=False)
    draft = ProductFactory(name_th="จานร่าง")
    UpgradeRecordFactory(product=draft)
    page = client.get(reverse("home"))
    assert reverse("showcase:product", args=[upgraded.pk]) in page.text
    assert "แจกันที่ยกระดับแล้ว" in page.text
    for hidden in ("ชามที่ยังไม่ยกระดับ", "ถ้วยของวิสาหกิจที่ยังไม่ตรวจ", "จานร่าง"):
        assert hidden not in page.text


def test_landing_shows_the_programmes_headline_numbers(client, db):
    from programmes.models import ProgrammeStatus
    from tests.factories import IntakeFactory, ProgrammeFactory

    _showcased("แจกัน")  # an enterprise with an upgraded product
    upgraded_draft = ProductFactory()  # a second enterprise, its product upgraded too
    UpgradeRecordFactory(product=upgraded_draft)
    UpgradeRecordFactory(product=upgraded_draft)  # counted once
    EnterpriseFactory(status=VerificationStatus.INACTIVE)  # no longer counted
    IntakeFactory()
    IntakeFactory()
    ProgrammeFactory(status=ProgrammeStatus.CLOSED)
    page = client.get(reverse("home"))
    assert page.context["enterprise_count"] == 2
    assert page.context["upgraded_product_count"] == 2
    assert page.context["active_programme_count"] == 2
    assert page.context["open_intake_count"] == 2
    assert '<p class="h3 mb-0" id="landing-upgraded">2</p>' in page.text


def test_landing_query_count_does_not_grow(client, db, django_assert_max_num_queries, settings):
    settings.PUBLIC_PAGE_SECONDS = 0  # the page's own queries, under the whole-page cache
    from tests.factories import IntakeFactory

    _showcased("แจกัน")
    IntakeFactory()
    # The first request counts and fills the cache (a database table in tests); the next
    # read the two counts from it. One query reads the upgraded products' areas.
    client.get(reverse("home"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("home"))
    for n in range(8):
        _showcased(f"ชาม {n}")
        IntakeFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("home"))
    assert len(page.context["upgraded_products"]) == 4
    assert len(page.context["open_intakes"]) == 5


def test_landing_counts_are_cached_until_a_service_changes_them(
    client, owner, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_PAGE_SECONDS = 0  # the counts under the whole-page cache
    from entrepreneurs.services import register_enterprise
    from tests.entrepreneurs.test_enterprises import service_data
    from tests.factories import EnterpriseFactory

    EnterpriseFactory()
    assert client.get(reverse("home")).context["enterprise_count"] == 1
    # Written behind the services' back: the cached count does not see it ...
    EnterpriseFactory()
    assert client.get(reverse("home")).context["enterprise_count"] == 1
    # ... while registering through the service counts afresh once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        register_enterprise(by=owner, data=service_data())
    assert client.get(reverse("home")).context["enterprise_count"] == 3
