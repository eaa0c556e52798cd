"""The lab utilisation report: per resource per month, hours open, booked, used, cooling down."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from reports import services
from reports.filters import ReportFilters
from reports.models import ReportJob
from reports.registry import REPORTS
from tests.conftest import enable_totp, sign_in
from tests.factories import BookingFactory, ResourceFactory, UserFactory
from training.models import Blackout, BlackoutReason, BookingStatus, OpeningHours

from .factories import build

pytestmark = pytest.mark.django_db

S = BookingStatus
(RESOURCE, KIND, MONTH, OPEN, BOOKED, USED, COOL, NO_SHOWS, BLACKOUT, BOOKED_PC, USED_PC) = range(
    11
)


def local(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def book(resource, start, hours, status, cooldown=None):
    ends = start + datetime.timedelta(hours=hours)
    minutes = resource.cooldown_minutes if cooldown is None else cooldown
    return BookingFactory(
        resource=resource,
        starts_at=start,
        ends_at=ends,
        blocked_until=ends + datetime.timedelta(minutes=minutes),
        status=status,
    )


def lab_data():
    """Two resources over November and December 2026 (Bangkok time).

    Kiln (2-hour cool-down), open Monday to Friday 08:30–12:00 and 13:00–16:30, 7 hours a
    day. November has 21 weekdays, 147 hours; a kiln blackout on Wednesday 11 November
    10:00–14:00 takes 2 + 1 = 3 of them (the lunch hour was closed anyway), and a
    centre-wide blackout on Saturday 14 November none: 144 open.
      2 Nov 09–12 completed:   booked 3, used 3, cool-down 2
      3 Nov 13–15 approved:    booked 2,         cool-down 2
      4 Nov 09–10 no-show:     1 no-show, nothing booked
      5 Nov 09–11 cancelled:   nothing
      30 Nov 22:00 – 1 Dec 02:00 completed, cooling until 04:00: 2 hours booked and used
        in November, 2 booked and used and 2 cooling in December.
    November: booked 7, used 5, cool-down 4, 1 no-show; 7/144 = 4.9 %, 5/144 = 3.5 %.
    December: 23 weekdays, 161 hours, less a centre-wide blackout all Thursday 10
    December (7 hours): 154 open; booked 2, used 2, cool-down 2: 1.3 % each.
    Glaze lab (no cool-down), open Mondays 09:00–12:00: 5 Mondays in November (15 hours)
    with a requested booking 9 Nov 09–11 (booked 2), 4 in December (12 hours); the
    Thursday blackout misses it.
    """
    kiln = ResourceFactory(
        name_th="เตาเผาไฟฟ้า ก", name_en="Kiln A", cooldown_minutes=120, hours=False
    )
    glaze = ResourceFactory(name_th="ห้องเคลือบ", name_en="Glaze lab", kind="glaze_lab", hours=False)
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(resource=kiln, weekday=day, opens=opens, closes=closes)
            for day in range(5)
            for opens, closes in [
                (datetime.time(8, 30), datetime.time(12)),
                (datetime.time(13), datetime.time(16, 30)),
            ]
        ]
        + [
            OpeningHours(
                resource=glaze, weekday=0, opens=datetime.time(9), closes=datetime.time(12)
            )
        ]
    )
    Blackout.objects.create(
        resource=kiln,
        starts_at=local(2026, 11, 11, 10),
        ends_at=local(2026, 11, 11, 14),
        reason=BlackoutReason.MAINTENANCE,
    )
    Blackout.objects.create(
        starts_at=local(2026, 11, 14), ends_at=local(2026, 11, 15), reason=BlackoutReason.EVENT
    )
    Blackout.objects.create(
        starts_at=local(2026, 12, 10), ends_at=local(2026, 12, 11), reason=BlackoutReason.HOLIDAY
    )
    book(kiln, local(2026, 11, 2, 9), 3, S.COMPLETED)
    book(kiln, local(2026, 11, 3, 13), 2, S.APPROVED)
    book(kiln, local(2026, 11, 4, 9), 1, S.NO_SHOW)
    book(kiln, local(2026, 11, 5, 9), 2, S.CANCELLED)
    book(kiln, local(2026, 11, 30, 22), 4, S.COMPLETED)
    book(glaze, local(2026, 11, 9, 9), 2, S.REQUESTED)
    return kiln, glaze


def read_csv(job):
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


NOV_DEC = ReportFilters(date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 12, 31))


def test_lab_report_hours_per_resource_per_month(officer_2fa):
    lab_data()
    job, outcome = build("lab_utilisation", by=officer_2fa, filters=NOV_DEC)
    assert outcome == services.DONE
    rows = read_csv(job)
    assert rows[0][:3] == ["เครื่องมือ", "ประเภท", "เดือน"]
    assert len(rows) - 1 == 4 == job.rows_written == job.rows_expected
    with translation.override("th"):
        kiln_kind = "เตาเผาไฟฟ้า"
    # Resource by resource (kilns first), month by month.
    assert rows[1] == [
        "เตาเผาไฟฟ้า ก",
        kiln_kind,
        "2026-11-01",
        "144.00",
        "7.00",
        "5.00",
        "4.00",
        "1",
        "3.00",
        "4.9",
        "3.5",
    ]
    assert rows[2] == [
        "เตาเผาไฟฟ้า ก",
        kiln_kind,
        "2026-12-01",
        "154.00",
        "2.00",
        "2.00",
        "2.00",
        "0",
        "7.00",
        "1.3",
        "1.3",
    ]
    assert rows[3][2:] == [
        "2026-11-01",
        "15.00",
        "2.00",
        "0.00",
        "0.00",
        "0",
        "0.00",
        "13.3",
        "0.0",
    ]
    assert rows[4][2:] == ["2026-12-01", "12.00", "0.00", "0.00", "0.00", "0", "0.00", "0.0", "0.0"]


def test_lab_report_as_xlsx_in_english(officer_2fa):
    lab_data()
    with translation.override("en"):
        job, _ = build("lab_utilisation", "xlsx", by=officer_2fa, filters=NOV_DEC)
    with services.file_storage().open(job.file.name, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][OPEN] == "Hours open"
    kiln_november = rows[1]
    assert kiln_november[RESOURCE] == "Kiln A"
    assert kiln_november[KIND] == "Electric kiln"
    assert kiln_november[MONTH] == datetime.datetime(2026, 11, 1)  # noqa: DTZ001
    assert kiln_november[OPEN] == 144
    assert kiln_november[BOOKED_PC] == pytest.approx(4.9)
    assert rows[3][RESOURCE] == "Glaze lab"


def test_lab_report_covers_the_whole_months_of_the_period(officer_2fa):
    lab_data()
    report = REPORTS["lab_utilisation"]
    # A few days of November: all of November, the kiln's and the glaze lab's.
    filters = ReportFilters(
        date_from=datetime.date(2026, 11, 5), date_to=datetime.date(2026, 11, 9)
    )
    rows = list(report.rows(filters))
    assert [(row[RESOURCE], row[MONTH]) for row in rows] == [
        ("เตาเผาไฟฟ้า ก", datetime.date(2026, 11, 1)),
        ("ห้องเคลือบ", datetime.date(2026, 11, 1)),
    ]
    assert rows[0][OPEN] == Decimal("144.00")
    # Fiscal year 2570: October 2026 to September 2027, for both resources.
    rows = list(report.rows(ReportFilters(fiscal_year=2570)))
    assert len(rows) == 24 == report.count(ReportFilters(fiscal_year=2570))
    assert rows[0][MONTH] == datetime.date(2026, 10, 1)
    assert rows[11][MONTH] == datetime.date(2027, 9, 1)
    assert rows[1][BOOKED] == Decimal("7.00")
    # No period: from the first booking's month to this month (or the last booking's).
    months = {row[MONTH] for row in report.rows(ReportFilters())}
    assert min(months) == datetime.date(2026, 11, 1)
    assert max(months) == max(timezone.localdate().replace(day=1), datetime.date(2026, 11, 1))


def test_lab_report_with_an_empty_period_has_no_rows(officer_2fa):
    lab_data()
    filters = ReportFilters(fiscal_year=2570, date_from=datetime.date(2028, 1, 1))
    job, outcome = build("lab_utilisation", by=officer_2fa, filters=filters)
    assert outcome == services.DONE
    assert len(read_csv(job)) == 1


# --- Who may ask -----------------------------------------------------------------------


def test_centre_staff_with_two_factor_may_ask_for_lab_utilisation_only(staff_2fa):
    lab_data()
    job, outcome = build("lab_utilisation", by=staff_2fa, filters=NOV_DEC)
    assert outcome == services.DONE
    for other in ("training", "enrolments"):
        with pytest.raises(services.ReportRefused):
            services.request_report(report=other, fmt="csv", filters=ReportFilters(), by=staff_2fa)


def test_centre_staff_without_two_factor_may_not_ask(centre_staff):
    with pytest.raises(services.ReportRefused):
        services.request_report(
            report="lab_utilisation", fmt="csv", filters=ReportFilters(), by=centre_staff
        )


@pytest.mark.parametrize("person", ["faculty", "student", "owner"])
def test_others_may_not_ask_for_lab_utilisation(request, person):
    with pytest.raises(services.ReportRefused):
        services.request_report(
            report="lab_utilisation",
            fmt="csv",
            filters=ReportFilters(),
            by=request.getfixturevalue(person),
        )


def test_centre_staff_ask_for_it_in_the_browser(client, staff_2fa):
    sign_in(client, staff_2fa)
    page = client.get(reverse("reports:job_create"))
    assert 'value="lab_utilisation"' in page.text
    assert 'value="training"' not in page.text
    response = client.post(
        reverse("reports:job_create"),
        {"report": "lab_utilisation", "format": "csv", "fiscal_year": "2570", "province": "52"},
    )
    assert response.status_code == 302
    job = ReportJob.objects.get(report="lab_utilisation")
    assert job.requested_by == staff_2fa
    assert job.filters == {"fiscal_year": 2570}


def test_another_staff_member_may_not_download_a_colleagues_report(client, staff_2fa):
    lab_data()
    job, _ = build("lab_utilisation", by=staff_2fa, filters=NOV_DEC)
    colleague = enable_totp(UserFactory(role=Role.CENTRE_STAFF))
    sign_in(client, colleague)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
    sign_in(client, staff_2fa)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200


# --- Queries ---------------------------------------------------------------------------


def test_lab_report_queries_do_not_grow_with_resources_or_bookings(
    django_assert_max_num_queries,
):
    report = REPORTS["lab_utilisation"]
    kiln, glaze = lab_data()
    # count: the resources; rows: resources, opening hours, blackouts, one per month.
    with django_assert_max_num_queries(1 + 3 + 2):
        assert report.count(NOV_DEC) == 4
        assert len(list(report.rows(NOV_DEC))) == 4
    for n in range(10):
        resource = ResourceFactory(cooldown_minutes=30)
        for day in range(1, 25, 3):
            book(resource, local(2026, 11, day, 9), 1, S.COMPLETED)
            book(resource, local(2026, 12, day, 9), 1, S.NO_SHOW)
        Blackout.objects.create(
            resource=resource,
            starts_at=local(2026, 12, 20 + n % 5, 8),
            ends_at=local(2026, 12, 20 + n % 5, 12),
            reason=BlackoutReason.OTHER,
        )
    with django_assert_max_num_queries(1 + 3 + 2):
        assert report.count(NOV_DEC) == 24
        assert len(list(report.rows(NOV_DEC))) == 24


@pytest.mark.django_db(databases=["default", "snapshot"])
@pytest.mark.parametrize("slug", ["lab_utilisation", "training"])
def test_reports_read_through_the_alias_they_are_given(slug):
    """A worker passes its snapshot's alias; nothing may be read through "default"."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    report = REPORTS[slug]
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["snapshot"]) as snapshot,
    ):
        report.count(NOV_DEC, using="snapshot")
        list(report.rows(NOV_DEC, using="snapshot"))
    assert len(default) == 0
    assert len(snapshot) >= 2
