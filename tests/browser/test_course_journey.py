"""Issue 10's journey: a course earns a certificate and the clearance to book the kiln.

A student enrols on a phone in the kiln-operation course; the instructor marks them
present on the attendance sheet and closes the run; the student downloads the PDF
certificate; a visitor verifies its code; and the student, refused the electric kiln
before, can now book it.
"""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import ClearanceKindFactory, ResourceFactory, UserFactory
from tests.training.factories_courses import CourseFactory, CourseRunFactory
from training.models import Booking, Certificate, CourseClearance, CourseSession

pytestmark = pytest.mark.browser

TIMEOUT = 20_000


def wait_for_pdf(holder, seconds=TIMEOUT / 1000):
    """The holder's certificate once its PDF is stored (printed after the close commits)."""
    deadline = time.monotonic() + seconds
    while True:
        certificate = Certificate.objects.filter(holder=holder).first()
        if certificate is not None and certificate.pdf:
            return certificate
        if time.monotonic() > deadline:
            pytest.fail("The certificate's PDF was not printed in time.")
        time.sleep(0.2)


def test_student_enrols_attends_gets_a_verifiable_certificate_and_can_book_the_kiln(
    phone_page, new_context, live_server
):
    kind = ClearanceKindFactory()
    kiln = ResourceFactory(
        name_th="เตาเผาไฟฟ้า 2", name_en="Electric kiln 2", required_clearance=kind
    )
    instructor = UserFactory(role="faculty", full_name="อาจารย์ ดินเผา")
    student = UserFactory(role="student", full_name="นักศึกษา ผู้ผ่านอบรม", email="p@dome.tu.ac.th")
    course = CourseFactory(
        title_th="การใช้เตาเผาไฟฟ้าอย่างปลอดภัย",
        title_en="Safe electric kiln operation",
        attendance_required=100,
    )
    course.instructors.add(instructor)
    CourseClearance.objects.create(course=course, kind=kind, valid_days=365)
    run = CourseRunFactory(course=course, name="รุ่นที่ 1/2570", capacity=5)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    session = CourseSession.objects.create(
        run=run,
        title="ภาคปฏิบัติ",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="ห้อง 201",
    )
    book_kiln = reverse("training:book", args=[kiln.pk]) + "?start={d}T10:00&end={d}T12:00".format(
        d=f"{timezone.localdate() + timedelta(days=3):%Y-%m-%d}"
    )

    # --- The student enrols on a phone (Thai) ----------------------------------------------
    phone = phone_page
    phone.set_default_timeout(TIMEOUT)
    sign_in(phone, student)
    phone.goto(reverse("training:course_detail", args=[course.pk]))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("การใช้เตาเผาไฟฟ้าอย่างปลอดภัย")
    phone.goto(reverse("training:run_enrol", args=[run.pk]))
    phone.locator("main").get_by_role("button", name="ลงทะเบียนเรียน", exact=True).click()
    expect(phone.locator("main")).to_contain_text("การใช้เตาเผาไฟฟ้าอย่างปลอดภัย")
    assert run.enrolments.get().person == student
    # Before the course, the kiln refuses them and says where the clearance is earned.
    phone.goto(book_kiln)
    phone.locator("input[name=purpose][value=research]").check()
    phone.locator("main").get_by_role("button", name=re.compile("^จอง$")).click()
    expect(phone.locator("main")).to_contain_text("หลักสูตรการใช้เตาเผา ศูนย์เกาะคา")
    assert not Booking.objects.filter(owner=student).exists()

    # --- The instructor marks attendance and closes the run ---------------------------------
    desk = new_context().new_page()
    desk.set_default_timeout(TIMEOUT)
    sign_in(desk, instructor)
    desk.goto(reverse("training:attendance_sheet", args=[session.pk]))
    enrolment = run.enrolments.get()
    present = desk.locator(f"#mark-{enrolment.pk}-present")
    present.click()
    expect(desk.locator(f"#mark-{enrolment.pk}-present")).to_have_attribute("aria-pressed", "true")
    desk.goto(reverse("training:run_close", args=[run.pk]))
    expect(desk.locator("main")).to_contain_text("นักศึกษา ผู้ผ่านอบรม")
    desk.locator("main").get_by_role("button", name=re.compile("ปิดรุ่น")).click()
    # The run's page, with the closing's own message (not a refusal's, not the form's).
    expect(desk.locator(".alert-success")).to_contain_text("ปิดรุ่นการอบรมแล้ว")
    # The certificate row commits with the run's closing; its PDF is printed after commit
    # (eagerly here, by the worker in production): the student is told once it is ready.
    certificate = wait_for_pdf(student)

    # --- The student downloads the certificate ----------------------------------------------
    phone.goto(reverse("training:my_certificates"))
    expect(phone.locator("main")).to_contain_text(certificate.number)
    link = phone.locator("main").get_by_role("link", name=re.compile("PDF"))
    response = phone.request.get(link.first.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # --- A visitor verifies the code -------------------------------------------------------
    visitor = new_context().new_page()
    visitor.set_default_timeout(TIMEOUT)
    visitor.goto(reverse("training:certificate_verify_form"))
    visitor.locator("#id_code").fill(certificate.code.lower())
    visitor.locator("main").get_by_role("button").first.click()
    expect(visitor.locator("main")).to_contain_text("นักศึกษา ผู้ผ่านอบรม")
    expect(visitor.locator(".alert-success")).to_be_visible()

    # --- Now the kiln can be booked ---------------------------------------------------------
    phone.goto(book_kiln)
    phone.locator("input[name=purpose][value=research]").check()
    phone.locator("main").get_by_role("button", name=re.compile("^จอง$")).click()
    expect(phone).to_have_url(re.compile(r"/lab/bookings/\d+/"))
    assert Booking.objects.filter(owner=student, resource=kiln).count() == 1
