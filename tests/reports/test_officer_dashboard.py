"""The officer's home as a dashboard: this fiscal year's figures as charts with tables,
each linking to the list behind it, cached and dated; checked against a known data set."""

import datetime as dt
import html
import json
import re
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import Enterprise, VerificationStatus
from products.models import ProductStatus
from programmes.models import Enrolment, EnrolmentStatus
from reports.dashboard import officer_figures
from tests.conftest import sign_in
from tests.factories import (
    BookingFactory,
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ResourceFactory,
    UpgradeRecordFactory,
)
from tests.training.factories_attend import enrol, make_certificate, make_run
from toolkit.thaidates import fiscal_year, fiscal_year_dates, format_datetime
from training.models import BookingStatus

pytestmark = pytest.mark.django_db
D = Decimal


def this_year():
    return fiscal_year(timezone.localdate())


def before_this_year():
    """A moment in the last fiscal year."""
    first_day, _next = fiscal_year_dates(this_year())
    return timezone.make_aware(dt.datetime.combine(first_day - dt.timedelta(days=1), dt.time(12)))


def first_of_month(hour):
    day = timezone.localdate().replace(day=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def known(db):
    """A small programme year whose figures are worked out by hand in the tests."""
    today = timezone.localdate()
    verified = [EnterpriseFactory(status=VerificationStatus.VERIFIED) for _ in range(2)]
    waiting = EnterpriseFactory(name_th="วิสาหกิจรอตรวจ", status=VerificationStatus.UNVERIFIED)
    old = EnterpriseFactory(status=VerificationStatus.INACTIVE)
    Enterprise.objects.filter(pk=old.pk).update(created_at=before_this_year())
    a = ProductFactory(enterprise=verified[0], status=ProductStatus.PUBLISHED, name_th="ชามเอ")
    b = ProductFactory(enterprise=verified[0], status=ProductStatus.PUBLISHED, name_th="ชามบี")
    c = ProductFactory(enterprise=verified[1], status=ProductStatus.ARCHIVED, name_th="ชามซี")
    ProductFactory(enterprise=waiting, status=ProductStatus.DRAFT, name_th="ชามดี")
    # Upgrades this year: design A and B (B twice), standards A; C's innovation was last year.
    UpgradeRecordFactory(
        product=a,
        area="design",
        started_on=today,
        price_before=D("100"),
        price_after=D("150"),
        monthly_sales_before=D("1000"),
        monthly_sales_after=D("1500"),
    )
    UpgradeRecordFactory(product=a, area="standards", started_on=today)
    UpgradeRecordFactory(
        product=b, area="design", started_on=today, price_before=D("200"), price_after=D("180")
    )
    UpgradeRecordFactory(product=b, area="design", started_on=today)
    UpgradeRecordFactory(
        product=c,
        area="innovation",
        started_on=before_this_year().date(),
        price_before=D("10"),
        price_after=D("100"),
    )
    intake = IntakeFactory()
    for status in (
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.SUBMITTED,
        EnrolmentStatus.COMPLETED,
    ):
        Enrolment.objects.create(intake=intake, enterprise=EnterpriseFactory(), status=status)
    # Trained this year: two people (one of them twice); a revoked certificate and last
    # year's do not count.
    first, second = make_run(name="รุ่น 1"), make_run(name="รุ่น 2")
    twice = enrol(first)
    now = timezone.now()
    make_certificate(twice, issued_at=now, fiscal_year=this_year())
    make_certificate(enrol(second, person=twice.person), issued_at=now, fiscal_year=this_year())
    make_certificate(enrol(first), issued_at=now, fiscal_year=this_year())
    make_certificate(enrol(first), issued_at=now, revoked_at=now, fiscal_year=this_year())
    make_certificate(enrol(first), issued_at=before_this_year(), fiscal_year=this_year() - 1)
    # The lab this month: open 08:00-20:00 daily; 3 hours booked, 2 of them used.
    kiln = ResourceFactory(name_th="เตาเผาทดสอบ", name_en="Test kiln")
    BookingFactory(
        resource=kiln,
        starts_at=first_of_month(9),
        ends_at=first_of_month(11),
        status=BookingStatus.COMPLETED,
    )
    BookingFactory(
        resource=kiln,
        starts_at=first_of_month(13),
        ends_at=first_of_month(14),
        status=BookingStatus.APPROVED,
    )
    return {"kiln": kiln, "enterprises": Enterprise.objects.count()}


def chart_data(page, key):
    match = re.search(
        rf'<script id="chart-{key}" type="application/json">(.*?)</script>', page.text, re.S
    )
    assert match, f"no chart data for {key}"
    return json.loads(match[1])


def href(name, **query):
    """A link as it appears in the page's HTML (the & escaped)."""
    from urllib.parse import urlencode

    return html.escape(f"{reverse(name)}?{urlencode(query)}")


def days_in_this_month():
    today = timezone.localdate()
    following = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return (following - today.replace(day=1)).days


# --- The numbers ------------------------------------------------------------------------


def test_figures_of_a_known_year(known):
    figures = officer_figures()
    assert figures["fiscal_year"] == this_year()
    enterprises = figures["enterprises"]
    assert enterprises["total"] == known["enterprises"]
    assert enterprises["verified"] == 2
    assert enterprises["unverified"] == 1 + 5  # the applicants are unverified by default
    assert enterprises["inactive"] == 1
    assert enterprises["new"] == known["enterprises"] - 1
    assert figures["products"] == {
        "total": 4,
        "new": 4,
        "draft": 1,
        "published": 2,
        "archived": 1,
    }
    assert figures["enrolments"] == {"accepted": 2, "active": 1}
    assert figures["upgrades_by_area"] == {
        "design": 2,
        "standards": 1,
        "usability": 0,
        "innovation": 0,
    }
    assert figures["upgraded_products"] == 2
    uplift = figures["uplift"]
    assert uplift["priced"] == 2
    assert uplift["mean_price_uplift"] == D("20.0")  # (+50 - 10) / 2; last year's not in
    assert (uplift["sales_before"], uplift["sales_after"]) == (D("1000.00"), D("1500.00"))
    assert uplift["sales_uplift"] == D("50.0")
    assert figures["people_trained"] == 2
    assert figures["trained_by_month"][-1] == (timezone.localdate().replace(day=1), 2)
    [kiln] = figures["lab"]["resources"]
    assert kiln["hours_open"] == D(12 * days_in_this_month())
    assert kiln["hours_booked"] == D("3.00")
    assert kiln["hours_used"] == D("2.00")


def test_the_page_shows_each_figure_as_a_chart_and_a_table(officer_client, known):
    page = officer_client.get(reverse("home"))
    assert page.status_code == 200
    upgrades = chart_data(page, "upgrades")
    assert upgrades["labels"] == ["การออกแบบ", "มาตรฐาน", "การใช้งาน", "นวัตกรรม"]
    assert upgrades["datasets"][0]["data"] == [2, 1, 0, 0]
    assert chart_data(page, "enrolments")["datasets"][0]["data"] == [2, 1]
    assert chart_data(page, "uplift")["datasets"][0]["data"] == [1000.0, 1500.0]
    assert chart_data(page, "trained")["datasets"][0]["data"][-1] == 2
    lab = chart_data(page, "lab")
    assert lab["labels"] == ["เตาเผาทดสอบ"]
    assert [d["data"] for d in lab["datasets"]] == [[12.0 * days_in_this_month()], [3.0], [2.0]]
    assert lab["horizontal"] is True
    for key in ("enterprises", "products", "enrolments", "upgrades", "uplift", "trained", "lab"):
        section = page.text.split(f'id="figure-{key}"')[1].split("</section>")[0]
        # A chart a screen reader can name, and a table with a caption and headers.
        assert f'data-chart="chart-{key}" role="img" aria-label=' in section
        assert '<caption class="visually-hidden">' in section
        assert '<th scope="col"' in section
        assert '<th scope="row"' in section
    uplift = page.text.split('id="figure-uplift"')[1].split("</section>")[0]
    assert "+20.0%" in uplift  # the mean price uplift
    assert "+50.0%" in uplift  # monthly sales
    assert "1,500.00" in uplift


def test_the_page_shows_the_figures_in_english(client, officer_2fa, known):
    officer_2fa.language = "en"
    officer_2fa.save()
    sign_in(client, officer_2fa)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert chart_data(page, "upgrades")["labels"][0] == "Design"
    assert chart_data(page, "lab")["labels"] == ["Test kiln"]


# --- Links to the lists behind the figures ------------------------------------------------


def test_each_figure_links_to_its_filtered_list(officer_client, known):
    page = officer_client.get(reverse("home")).text
    year = this_year()
    first = timezone.localdate().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    for link in (
        href("entrepreneurs:enterprise_list", status="unverified"),
        href("entrepreneurs:enterprise_list", status="verified"),
        href("entrepreneurs:enterprise_list", registered=year),
        href("products:product_list", status="published"),
        href("products:product_list", registered=year),
        href("programmes:review_queue", status="accepted"),
        href("programmes:review_queue", status="active"),
        href("products:product_list", area="design", upgrade_year=year),
        href("products:product_list", upgrade_year=year),
        href("training:certificate_list", year=year, state="valid"),
        href(
            "training:staff_booking_list",
            resource=known["kiln"].pk,
            date_from=first.isoformat(),
            date_to=last.isoformat(),
        ),
    ):
        assert f'href="{link}"' in page, link


def rows_of(page):
    return page.context["page_obj"].paginator.count


def test_the_links_open_lists_with_the_same_numbers(officer_client, known):
    year = this_year()
    lists = officer_client.get
    assert rows_of(lists(reverse("entrepreneurs:enterprise_list"), {"status": "unverified"})) == 6
    registered = lists(reverse("entrepreneurs:enterprise_list"), {"registered": year})
    assert rows_of(registered) == known["enterprises"] - 1
    assert rows_of(lists(reverse("products:product_list"), {"registered": year})) == 4
    design = lists(reverse("products:product_list"), {"area": "design", "upgrade_year": year})
    assert {p.name_th for p in design.context["page_obj"]} == {"ชามเอ", "ชามบี"}
    upgraded = lists(reverse("products:product_list"), {"upgrade_year": year})
    assert {p.name_th for p in upgraded.context["page_obj"]} == {"ชามเอ", "ชามบี"}
    last_year = lists(reverse("products:product_list"), {"upgrade_year": year - 1})
    assert {p.name_th for p in last_year.context["page_obj"]} == {"ชามซี"}
    assert rows_of(lists(reverse("programmes:review_queue"), {"status": "accepted"})) == 2
    certificates = lists(reverse("training:certificate_list"), {"year": year, "state": "valid"})
    assert rows_of(certificates) == 3  # two people, one of them twice
    first = timezone.localdate().replace(day=1)
    bookings = lists(
        reverse("training:staff_booking_list"),
        {"resource": known["kiln"].pk, "date_from": first.isoformat()},
    )
    assert bookings.status_code == 200
    assert rows_of(bookings) == 2


@pytest.mark.parametrize("value", ["abc", "1999", "99999"])
def test_a_bad_fiscal_year_in_a_list_gives_a_message_not_an_error(officer_client, known, value):
    for name, field in (
        ("entrepreneurs:enterprise_list", "registered"),
        ("products:product_list", "registered"),
        ("products:product_list", "upgrade_year"),
        ("training:certificate_list", "year"),
    ):
        page = officer_client.get(reverse(name), {field: value})
        assert page.status_code == 200
        assert "invalid-feedback" in page.text  # the field says what is wrong


def test_officers_read_the_booking_list_but_do_not_act_on_it(officer_client, known):
    page = officer_client.get(reverse("training:staff_booking_list"))
    assert page.status_code == 200
    assert "เตาเผาทดสอบ" in page.text
    assert reverse("training:approvals") not in page.text  # the staff's own menu
    booking = known["kiln"].bookings.filter(status=BookingStatus.APPROVED).get()
    assert reverse("training:booking_staff_cancel", args=[booking.pk]) not in page.text
    assert officer_client.get(reverse("training:approvals")).status_code == 403


def test_students_and_officers_without_two_factor_do_not_read_the_booking_list(
    client, student, officer
):
    client.force_login(student)
    assert client.get(reverse("training:staff_booking_list")).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("training:staff_booking_list")).status_code in (302, 403)


# --- Cache and freshness -------------------------------------------------------------------


def test_the_page_says_when_its_figures_were_computed(officer_client, known):
    page = officer_client.get(reverse("home"))
    computed = page.context["figures_as_of"]
    assert abs(timezone.now() - computed) < dt.timedelta(minutes=1)
    as_of = page.text.split('id="figures-as-of"')[1].split("</p>")[0]
    assert format_datetime(computed) in as_of


def test_the_figures_come_from_the_cache_until_it_expires(officer_client, known, settings):
    # A real expiry on whichever cache backend runs the tests (database or Redis).
    settings.DASHBOARD_CACHE_SECONDS = 2
    with CaptureQueriesContext(connection) as cold:
        first = officer_client.get(reverse("home"))
    EnterpriseFactory(status=VerificationStatus.VERIFIED)
    with CaptureQueriesContext(connection) as warm:
        second = officer_client.get(reverse("home"))
    assert len(warm) < len(cold) - 8
    assert second.context["figures_as_of"] == first.context["figures_as_of"]
    assert chart_data(second, "enterprises")["datasets"][0]["data"][0] == 2  # still cached
    time.sleep(2.1)
    third = officer_client.get(reverse("home"))
    assert third.context["figures_as_of"] > first.context["figures_as_of"]
    assert chart_data(third, "enterprises")["datasets"][0]["data"][0] == 3


def test_the_cache_holds_no_translated_words_so_both_languages_share_it(officer_client, known):
    from django.core.cache import cache

    from reports.dashboard import cache_key

    officer_client.get(reverse("home"))
    cached = cache.get(cache_key(timezone.localdate()))
    assert cached is not None
    text = repr(cached)
    assert "การออกแบบ" not in text and "Design" not in text  # area codes, not labels
    assert "'design': 2" in text


def test_home_queries_are_bounded_and_do_not_grow_with_rows(
    officer_client, known, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    # Warm (14): session, user, 2FA, inbox and badge, invitations, applications to review,
    # intakes closing, enterprises waiting, reports ready and coming, the cache read, the
    # request's savepoint. Cold adds the figures' 13 aggregates and the cache's write (31).
    with django_assert_max_num_queries(31):
        officer_client.get(reverse("home"))
    with django_assert_max_num_queries(14):
        officer_client.get(reverse("home"))
    kiln = known["kiln"]
    for day in range(2, 8):
        start = first_of_month(9) + dt.timedelta(days=day)
        BookingFactory(
            resource=kiln,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            status=BookingStatus.COMPLETED,
        )
        ResourceFactory()
        product = ProductFactory(status=ProductStatus.PUBLISHED)
        UpgradeRecordFactory(product=product, started_on=timezone.localdate(), area="usability")
        EnterpriseFactory(status=VerificationStatus.UNVERIFIED)
        make_certificate(enrol(make_run()), issued_at=timezone.now(), fiscal_year=this_year())
    cache.clear()
    with django_assert_max_num_queries(31):
        page = officer_client.get(reverse("home"))
    assert chart_data(page, "upgrades")["datasets"][0]["data"][2] == 6
    with django_assert_max_num_queries(14):
        officer_client.get(reverse("home"))


# --- Who sees it -----------------------------------------------------------------------------


def test_an_officer_without_two_factor_sees_no_figures(client, officer, known):
    client.force_login(officer)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert 'id="figure-enterprises"' not in page.text
    assert "chart-" not in page.text


@pytest.mark.parametrize("person", ["staff_2fa", "faculty", "student", "owner"])
def test_other_roles_get_their_own_home_without_the_figures(client, request, person, known):
    sign_in(client, request.getfixturevalue(person))
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert 'id="figure-enterprises"' not in page.text
    assert "dashboard_sections" not in page.context


def test_the_fiscal_year_filters_start_on_the_first_of_october(officer_client):
    from toolkit.thaidates import fiscal_year_bounds

    start, _end = fiscal_year_bounds(2570)
    before = EnterpriseFactory(name_th="ลงทะเบียน 30 ก.ย. 2569")
    on = EnterpriseFactory(name_th="ลงทะเบียน 1 ต.ค. 2569")
    Enterprise.objects.filter(pk=before.pk).update(created_at=start - dt.timedelta(seconds=1))
    Enterprise.objects.filter(pk=on.pk).update(created_at=start)
    ProductFactory(enterprise=on, name_th="ชามปีเก่า")
    UpgradeRecordFactory(
        product=ProductFactory(enterprise=on, name_th="ชามปีใหม่"), started_on=start.date()
    )
    UpgradeRecordFactory(
        product=on.products.get(name_th="ชามปีเก่า"), started_on=start.date() - dt.timedelta(days=1)
    )
    page = officer_client.get(reverse("entrepreneurs:enterprise_list"), {"registered": 2570})
    assert [e.name_th for e in page.context["page_obj"]] == ["ลงทะเบียน 1 ต.ค. 2569"]
    page = officer_client.get(reverse("entrepreneurs:enterprise_list"), {"registered": 2569})
    assert [e.name_th for e in page.context["page_obj"]] == ["ลงทะเบียน 30 ก.ย. 2569"]
    page = officer_client.get(reverse("products:product_list"), {"upgrade_year": 2570})
    assert [p.name_th for p in page.context["page_obj"]] == ["ชามปีใหม่"]
