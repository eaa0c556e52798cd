"""The training report: per course run, places, attendance rate and certificates."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from reports import services
from reports.filters import ReportFilters
from reports.models import JobStatus, ReportDownload, ReportJob
from reports.registry import REPORTS
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.training.factories_attend import enrol, make_certificate, make_course
from training.models import (
    Attendance,
    AttendanceMark,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    RunStatus,
)

from .factories import build

pytestmark = pytest.mark.django_db

E = CourseEnrolmentStatus
M = AttendanceMark
COLUMNS = {
    name: index
    for index, name in enumerate(
        [
            "course",
            "title",
            "run",
            "state",
            "starts",
            "ends",
            "instructors",
            "capacity",
            "enrolled",
            "waitlisted",
            "completed",
            "sessions",
            "held",
            "rate",
            "issued",
            "revoked",
        ]
    )
}


def local(year, month, day, hour=9):
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def make_run(course, name, *, capacity, closes, status=RunStatus.OPEN, instructors=()):
    run = CourseRun.objects.create(
        course=course,
        name=name,
        capacity=capacity,
        status=status,
        enrol_opens_at=closes - datetime.timedelta(days=30),
        enrol_closes_at=closes,
    )
    run.instructors.add(*instructors)
    return run


def session(run, starts):
    return CourseSession.objects.create(
        run=run, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), place="ห้อง 201"
    )


def mark(enrolment, sessions, marks):
    for where, what in zip(sessions, marks, strict=False):
        Attendance.objects.create(session=where, enrolment=enrolment, mark=what)


def training_data(faculty):
    """Three runs of two courses in fiscal years 2570 and 2569.

    Kiln A1 (FY 2570): 3 sessions held in November 2026 and one still to come; four people
    hold places (2 completed, 1 not completed, 1 enrolled), one waits, one cancelled. Of
    3 × 4 = 12 possible attendances, 3 + 3 + 1 + 0 = 7 were present or late: 58.3 %. The
    cancelled person's mark and the session to come do not count. Two certificates, one
    revoked. Taught by its own two instructors.
    Kiln A2 (FY 2569): planned, no sessions yet, dated by its enrolment close (March
    2026); taught by the course's instructor (faculty).
    Glaze B1 (FY 2569): one session held in January 2026, two people, one present: 50.0 %.
    """
    kiln = make_course(title_th="การใช้เตาเผาไฟฟ้า", title_en="Electric kiln operation")
    kiln.instructors.add(faculty)
    glaze = make_course(title_th="การเคลือบ", title_en="Glazing")
    somchai = UserFactory(role=Role.FACULTY, full_name="สมชาย เตาดี")
    arunee = UserFactory(role=Role.FACULTY, full_name="อรุณี ดินงาม")
    a1 = make_run(
        kiln, "รุ่นที่ 1/2570", capacity=4, closes=local(2026, 10, 30), instructors=[somchai, arunee]
    )
    held = [session(a1, local(2026, 11, day)) for day in (2, 9, 16)]
    later = session(a1, timezone.now() + datetime.timedelta(days=40))
    people = {
        name: enrol(a1, status=status, full_name=name)
        for name, status in [
            ("ผู้เรียน หนึ่ง", E.COMPLETED),
            ("ผู้เรียน สอง", E.COMPLETED),
            ("ผู้เรียน สาม", E.NOT_COMPLETED),
            ("ผู้เรียน สี่", E.ENROLLED),
            ("ผู้รอ", E.WAITLISTED),
            ("ผู้ยกเลิก", E.CANCELLED),
        ]
    }
    mark(people["ผู้เรียน หนึ่ง"], held, [M.PRESENT, M.PRESENT, M.LATE])
    mark(people["ผู้เรียน สอง"], held, [M.PRESENT, M.LATE, M.PRESENT])
    mark(people["ผู้เรียน สาม"], held, [M.PRESENT, M.ABSENT, M.EXCUSED])
    mark(people["ผู้เรียน สี่"], held, [M.ABSENT, M.ABSENT])
    mark(people["ผู้ยกเลิก"], held, [M.PRESENT])
    Attendance.objects.create(session=later, enrolment=people["ผู้เรียน หนึ่ง"], mark=M.PRESENT)
    make_certificate(people["ผู้เรียน หนึ่ง"])
    make_certificate(people["ผู้เรียน สอง"], revoked_at=timezone.now())

    a2 = make_run(kiln, "รุ่นที่ 2/2569", capacity=10, closes=local(2026, 3, 1))
    a2.status = RunStatus.PLANNED
    a2.save()

    b1 = make_run(glaze, '=HYPERLINK("x")', capacity=10, closes=local(2025, 12, 20))
    b1_session = session(b1, local(2026, 1, 12))
    mark(enrol(b1), [b1_session], [M.PRESENT])
    mark(enrol(b1), [b1_session], [M.ABSENT])
    return {"runs": (a1, a2, b1), "kiln": kiln, "glaze": glaze}


def read_csv(job):
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def by_run(rows):
    return {row[COLUMNS["run"]]: row for row in rows[1:]}


def test_training_report_counts_places_attendance_and_certificates(officer_2fa, faculty):
    data = training_data(faculty)
    job, outcome = build("training", by=officer_2fa)
    assert outcome == services.DONE
    rows = read_csv(job)
    assert rows[0][0] == "รหัสหลักสูตร"
    assert rows[0][COLUMNS["rate"]] == "อัตราการเข้าเรียน (%)"
    assert len(rows) - 1 == 3 == job.rows_written == job.rows_expected
    a1 = by_run(rows)["รุ่นที่ 1/2570"]
    c = COLUMNS
    assert a1[c["course"]] == str(data["kiln"].pk)
    assert a1[c["title"]] == "การใช้เตาเผาไฟฟ้า"
    with translation.override("th"):
        assert a1[c["state"]] == str(RunStatus.OPEN.label)
    assert a1[c["starts"]] == "2026-11-02"
    assert a1[c["instructors"]] == "สมชาย เตาดี, อรุณี ดินงาม"
    assert [a1[c[n]] for n in ("capacity", "enrolled", "waitlisted", "completed")] == [
        "4",
        "4",
        "1",
        "2",
    ]
    assert [a1[c[n]] for n in ("sessions", "held", "rate", "issued", "revoked")] == [
        "4",
        "3",
        "58.3",
        "2",
        "1",
    ]


def test_training_report_rows_without_sessions_and_formula_names(officer_2fa, faculty):
    training_data(faculty)
    job, _ = build("training", by=officer_2fa)
    rows = by_run(read_csv(job))
    c = COLUMNS
    a2 = rows["รุ่นที่ 2/2569"]
    # No session yet: no dates, no rate; the course's instructor teaches it.
    assert [a2[c[n]] for n in ("starts", "ends", "held", "rate", "enrolled")] == [
        "",
        "",
        "0",
        "",
        "0",
    ]
    assert a2[c["instructors"]] == "อาจารย์ กมล วงศ์ดี"
    b1 = rows['\'=HYPERLINK("x")']
    assert [b1[c[n]] for n in ("enrolled", "held", "rate", "issued")] == ["2", "1", "50.0", "0"]
    # Runs in the order they start; A2 is dated by its enrolment close (1 March 2026).
    assert [row[c["run"]] for row in read_csv(job)[1:]] == [
        '\'=HYPERLINK("x")',
        "รุ่นที่ 2/2569",
        "รุ่นที่ 1/2570",
    ]


def test_training_report_as_xlsx_in_english(officer_2fa, faculty):
    training_data(faculty)
    with translation.override("en"):
        job, _ = build("training", "xlsx", by=officer_2fa)
    with services.file_storage().open(job.file.name, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][COLUMNS["rate"]] == "Attendance rate (%)"
    a1 = next(row for row in rows[1:] if row[COLUMNS["run"]] == "รุ่นที่ 1/2570")
    assert a1[COLUMNS["title"]] == "Electric kiln operation"
    assert a1[COLUMNS["state"]] == "Open for enrolment"
    assert a1[COLUMNS["rate"]] == pytest.approx(58.3)
    assert a1[COLUMNS["starts"]] == datetime.datetime(2026, 11, 2)  # noqa: DTZ001 (Excel has no time zones)
    assert a1[COLUMNS["held"]] == 3


def test_training_report_filters_by_fiscal_year_and_dates(officer_2fa, faculty):
    training_data(faculty)
    job, _ = build("training", by=officer_2fa, filters=ReportFilters(fiscal_year=2570))
    assert set(by_run(read_csv(job))) == {"รุ่นที่ 1/2570"}
    job, _ = build("training", by=officer_2fa, filters=ReportFilters(fiscal_year=2569))
    assert set(by_run(read_csv(job))) == {"รุ่นที่ 2/2569", '\'=HYPERLINK("x")'}
    job, _ = build(
        "training",
        by=officer_2fa,
        filters=ReportFilters(
            date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 1, 12)
        ),
    )
    # date_to is inclusive: B1 starts at 09:00 on 12 January.
    assert set(by_run(read_csv(job))) == {'\'=HYPERLINK("x")'}


def test_training_report_ignores_province_filters(officer_2fa):
    job, _ = services.request_report(
        report="training",
        fmt="csv",
        filters=ReportFilters(province="52", fiscal_year=2570),
        by=officer_2fa,
    )
    assert job.filters == {"fiscal_year": 2570}


# --- Who may ask -----------------------------------------------------------------------


def test_faculty_may_ask_for_training_but_not_enrolments(faculty):
    training_data(faculty)
    job, outcome = build("training", by=faculty)
    assert outcome == services.DONE and job.status == JobStatus.DONE
    with pytest.raises(services.ReportRefused):
        services.request_report(report="enrolments", fmt="csv", filters=ReportFilters(), by=faculty)


def test_faculty_sees_only_training_in_the_form_and_asks_for_it(client, faculty):
    sign_in(client, faculty)
    page = client.get(reverse("reports:job_create"))
    assert page.status_code == 200
    assert 'value="training"' in page.text
    assert 'value="enrolments"' not in page.text
    response = client.post(
        reverse("reports:job_create"),
        {"report": "training", "format": "xlsx", "fiscal_year": "2570"},
    )
    job = ReportJob.objects.get(report="training")
    assert response.status_code == 302
    assert job.requested_by == faculty and job.filters == {"fiscal_year": 2570}
    refused = client.post(reverse("reports:job_create"), {"report": "enrolments", "format": "csv"})
    assert refused.status_code == 200
    assert not ReportJob.objects.filter(report="enrolments").exists()


@pytest.mark.parametrize("person", ["student", "owner"])
def test_students_and_entrepreneurs_may_not_ask_for_training(request, person):
    with pytest.raises(services.ReportRefused):
        services.request_report(
            report="training",
            fmt="csv",
            filters=ReportFilters(),
            by=request.getfixturevalue(person),
        )


def test_faculty_downloads_their_training_report_and_it_is_logged(client, faculty):
    """Learners are only counted, but instructors are named: downloads are logged."""
    training_data(faculty)
    job, _ = build("training", by=faculty)
    sign_in(client, faculty)
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("รหัสหลักสูตร")
    assert ReportDownload.objects.get().user == faculty


# --- Queries ---------------------------------------------------------------------------


def test_training_report_queries_do_not_grow_with_runs(faculty, django_assert_max_num_queries):
    report = REPORTS["training"]
    training_data(faculty)
    with django_assert_max_num_queries(2):
        assert report.count(ReportFilters()) == 3
        assert len(list(report.rows(ReportFilters()))) == 3
    course = make_course()
    for n in range(12):
        run = make_run(
            course, f"รุ่นเพิ่ม {n}", capacity=5, closes=local(2026, 10, 1), instructors=[faculty]
        )
        first = session(run, local(2026, 10, 5))
        mark(enrol(run), [first], [M.PRESENT])
        make_certificate(enrol(run, status=E.COMPLETED))
    with django_assert_max_num_queries(2):
        assert report.count(ReportFilters()) == 15
        assert len(list(report.rows(ReportFilters(fiscal_year=2570)))) == 13
