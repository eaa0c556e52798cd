"""Issue 9's journey: the electric kiln booked on a phone, its cool-down defended, approved.

A student who holds the electric-kiln clearance books the kiln for tomorrow morning on a
360-px phone, from the accessible list of the week; a faculty member's booking that
afternoon, inside the kiln's 8-hour cool-down, is refused with the reason; centre staff
(two-factor) approve the student's request from the queue; the day-before reminder is
delivered by a real Celery worker, and the student reads it on the phone.
"""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutboundEmail
from tests.browser.helpers import fits_phone, sign_in
from tests.conftest import enable_totp
from tests.factories import ClearanceFactory, ClearanceKindFactory, ResourceFactory, UserFactory
from tests.notifications.test_worker import (  # noqa: F401 (fixtures)
    DELIVERY_TIMEOUT,
    _wait_for,
    live_broker,
    mail_dir,
    worker_dir,
)
from tests.training.test_worker import lab_worker, queues  # noqa: F401 (fixtures)
from training import tasks
from training.models import Booking, BookingStatus

pytestmark = [pytest.mark.browser, pytest.mark.worker]

TIMEOUT = 15_000


def test_student_books_the_kiln_on_a_phone_cool_down_refused_staff_approve_reminder_sent(
    phone_page,
    new_context,
    live_server,
    lab_worker,  # noqa: F811
    queues,  # noqa: F811
):
    kind = ClearanceKindFactory()
    kiln = ResourceFactory(
        name_th="เตาเผาไฟฟ้า 1",
        name_en="Electric kiln 1",
        cooldown_minutes=8 * 60,
        required_clearance=kind,
        needs_approval=True,
        max_minutes=10 * 60,
        hours=(time(7), time(22)),
    )
    student = UserFactory(role="student", full_name="นักศึกษา ทดลองเผา", email="s@dome.tu.ac.th")
    ClearanceFactory(holder=student, kind=kind)
    faculty = UserFactory(role="faculty", full_name="Ajarn Clay", language="en")
    ClearanceFactory(holder=faculty, kind=kind)
    staff = UserFactory(role="centre_staff", full_name="เจ้าหน้าที่ ศูนย์เกาะคา")
    enable_totp(staff)
    tomorrow = timezone.localdate() + timedelta(days=1)

    # --- The student, on a phone, in Thai -------------------------------------------------
    phone = phone_page
    phone.set_default_timeout(TIMEOUT)
    sign_in(phone, student)
    phone.goto(reverse("training:lab_home"))
    phone.get_by_role("link", name=re.compile("เตาเผาไฟฟ้า 1")).first.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("เตาเผาไฟฟ้า 1")
    # The calendar's accessible alternative: the list of the week that holds tomorrow.
    phone.goto(reverse("training:resource_week", args=[kiln.pk]) + f"?week={tomorrow:%Y-%m-%d}")
    day_heading = phone.get_by_text(re.compile(rf"\b{tomorrow.day} .* {tomorrow.year + 543}")).first
    expect(day_heading).to_be_visible()
    free = phone.locator(f"a[href*='start={tomorrow:%Y-%m-%d}T']").first
    free.click()
    expect(phone).to_have_url(re.compile(r"/lab/resources/\d+/book/"))
    phone.locator("#id_start").select_option("09:00")
    phone.locator("#id_end").select_option("11:00")
    phone.locator("input[name=purpose][value=research]").check()
    phone.locator("#id_description").fill("เผาดิบชิ้นงานโครงการออกแบบ")
    assert fits_phone(phone)
    phone.locator("main").get_by_role("button", name=re.compile("^จอง$")).click()
    booking = Booking.objects.get(owner=student)
    expect(phone).to_have_url(re.compile(rf"/lab/bookings/{booking.pk}/"))
    assert booking.status == BookingStatus.REQUESTED
    assert timezone.localtime(booking.blocked_until).time() == time(19)

    # --- A second person, inside the cool-down, in English ---------------------------------
    desk = new_context().new_page()
    desk.set_default_timeout(TIMEOUT)
    sign_in(desk, faculty)
    desk.goto(
        reverse("training:book", args=[kiln.pk])
        + f"?start={tomorrow:%Y-%m-%d}T14:00&end={tomorrow:%Y-%m-%d}T15:00"
    )
    desk.locator("input[name=purpose][value=research]").check()
    desk.locator("main").get_by_role("button", name="Book", exact=True).click()
    expect(desk.locator("main")).to_contain_text(
        "Electric kiln 1 is cooling down after a booking until"
    )
    expect(desk.locator("main")).to_contain_text("19:00")
    assert Booking.objects.filter(owner=faculty).count() == 0

    # --- Centre staff approve from the queue ----------------------------------------------
    office = new_context().new_page()
    office.set_default_timeout(TIMEOUT)
    sign_in(office, staff, code=True)
    office.goto(reverse("training:approvals"))
    row = office.locator("tr", has_text="นักศึกษา ทดลองเผา")
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("^อนุมัติ")).click()
    expect(office.locator("main")).not_to_contain_text("นักศึกษา ทดลองเผา", timeout=TIMEOUT)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED

    # --- The day-before reminder, by the worker -------------------------------------------
    tasks.remind_tomorrow.apply_async(queue=queues[0])

    def sent():
        return OutboundEmail.objects.filter(to=student.email, sent_at__isnull=False)

    reminder = _wait_for(lambda: sent().filter(subject__contains="พรุ่งนี้").first(), DELIVERY_TIMEOUT)
    assert reminder is not None, f"The worker did not send the reminder:\n{lab_worker.log()}"
    phone.goto(reverse("notifications:inbox"))
    expect(phone.locator("main")).to_contain_text("พรุ่งนี้")
    expect(phone.locator("main")).to_contain_text("เตาเผาไฟฟ้า 1")
