"""Demo courses: kiln operation (it grants the electric-kiln clearance) and product design.

Loaded by training/demo.py after the demo lab (it needs the "electric-kiln" clearance kind).
Courses and runs are written as rows (demo data); enrolment, attendance and closing go
through training/services/courses, so the waitlist, the certificates, the clearances and
the notices are the ones real use makes:

- the kiln course (taught by the centre staff) has run 3/2569 finished: its sessions were
  five to six weeks ago, the demo student and the demo entrepreneur completed it and hold
  certificates (the student's standing electric-kiln clearance is the one it granted), the
  demo faculty member missed too many sessions to complete;
- the design course (taught by the DIPROM officer) has run 1/2570 open, its one place
  taken by the entrepreneur, the demo student first and the faculty member second on its
  waitlist;
- the kiln course's run 1/2570 is open with every place free.

Only the demo accounts take part (accounts/demo.py).

The certificates' PDFs are built by the worker after the closing commits; nothing here
waits for them. Idempotent: nothing is done when the kiln course exists already.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, User

from .models import (
    AttendanceMark,
    ClearanceKind,
    Course,
    CourseClearance,
    CourseRun,
    CourseSession,
)
from .services import courses

OFFICER_EMAIL = "officer@demo.nakhon-ceramic.test"
STAFF_EMAIL = "staff@demo.nakhon-ceramic.test"
FACULTY_EMAIL = "faculty@demo.nakhon-ceramic.test"
STUDENT_EMAIL = "student.demo@dome.tu.ac.th"
OWNER_EMAIL = "owner@demo.nakhon-ceramic.test"

KILN_COURSE = {
    "title_th": "การใช้งานเตาเผาไฟฟ้าอย่างปลอดภัย",
    "title_en": "Safe electric kiln operation",
    "description_th": (
        "บรรจุเตา ตั้งโปรแกรมเผาดิบและเผาเคลือบ อ่านกรวยวัดอุณหภูมิ และปิดเตาอย่างปลอดภัย "
        "ผู้ผ่านการอบรมได้รับสิทธิ์ใช้เตาเผาไฟฟ้าของศูนย์วิจัยฯ เกาะคา"
    ),
    "description_en": (
        "Loading, programming bisque and glaze firings, reading cones and shutting down "
        "safely. Completing it clears you to use the Ko Kha centre's electric kiln."
    ),
    "audience": [Role.STUDENT, Role.FACULTY, Role.ENTREPRENEUR],
    "hours": 12,
    "attendance_required": 80,
}
DESIGN_COURSE = {
    "title_th": "ออกแบบผลิตภัณฑ์เซรามิกสำหรับตลาดของฝาก",
    "title_en": "Designing ceramic products for the souvenir market",
    "description_th": (
        "จากเรื่องเล่าของชุมชนสู่ผลิตภัณฑ์ที่ขายได้ ทำแบบร่าง ต้นแบบ และราคาขาย "
        "สำหรับผู้ประกอบการ และนักศึกษาหรืออาจารย์ที่ทำงานร่วมกับวิสาหกิจ"
    ),
    "description_en": (
        "From a community's story to a product that sells: sketches, a prototype and a "
        "price. For entrepreneurs, and students or faculty working with an enterprise."
    ),
    "audience": [Role.ENTREPRENEUR, Role.STUDENT, Role.FACULTY],
    "hours": 18,
    "attendance_required": 75,
}

CENTRE_ROOM = "ห้องเตาเผา ศูนย์วิจัยฯ เกาะคา"
CLASSROOM = "ห้อง 2204 อาคารเรียนรวม มธ. ลำปาง"


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _course(fields, *, by, instructor, grants=()):
    course = Course.objects.create(created_by=by, **fields)
    course.instructors.add(instructor)
    for kind, valid_days in grants:
        CourseClearance.objects.create(course=course, kind=kind, valid_days=valid_days)
    return course


def _run(course, name, *, capacity, opens, closes, sessions, place, instructor):
    run = CourseRun.objects.create(
        course=course, name=name, capacity=capacity, enrol_opens_at=opens, enrol_closes_at=closes
    )
    run.instructors.add(instructor)
    for i, (day, title) in enumerate(sessions):
        CourseSession.objects.create(
            run=run,
            title=title,
            starts_at=_at(day, 9),
            ends_at=_at(day, 13 if i < len(sessions) - 1 else 16),
            place=place,
        )
    return run


def seed(*, stdout, style):
    stdout.write(style.MIGRATE_HEADING("Demo courses"))
    if Course.objects.filter(title_en=KILN_COURSE["title_en"]).exists():
        stdout.write(f"  {KILN_COURSE['title_th']}: already there")
        return
    officer = User.objects.get(email=OFFICER_EMAIL)
    faculty = User.objects.get(email=FACULTY_EMAIL)
    student = User.objects.get(email=STUDENT_EMAIL)
    owner = User.objects.get(email=OWNER_EMAIL)
    staff = User.objects.get(email=STAFF_EMAIL)
    today = timezone.localdate()
    electric = ClearanceKind.objects.get(code="electric-kiln")

    # The centre's staff teach the kiln; DIPROM's design expert teaches design.
    kiln = _course(KILN_COURSE, by=officer, instructor=staff, grants=[(electric, 365)])
    design = _course(DESIGN_COURSE, by=officer, instructor=officer)

    # Run 3/2569 of the kiln course: taught five to six weeks ago, closed since.
    ago = today - timedelta(days=42)
    finished = _run(
        kiln,
        "รุ่นที่ 3/2569",
        capacity=12,
        opens=_at(ago - timedelta(days=21), 8, 30),
        closes=_at(ago - timedelta(days=2), 16, 30),
        sessions=[
            (ago, "ความปลอดภัยและการบรรจุเตา"),
            (ago + timedelta(days=2), "โปรแกรมเผาดิบและเผาเคลือบ"),
            (ago + timedelta(days=4), "ฝึกเผาจริงและปิดเตา"),
        ],
        place=CENTRE_ROOM,
        instructor=staff,
    )
    marks = {
        student: [AttendanceMark.PRESENT] * 3,
        owner: [AttendanceMark.PRESENT, AttendanceMark.LATE, AttendanceMark.PRESENT],
        faculty: [AttendanceMark.PRESENT, AttendanceMark.EXCUSED, AttendanceMark.ABSENT],
    }
    for i, person in enumerate(marks):
        enrolment = courses.enrol(
            run=finished, person=person, now=_at(ago - timedelta(days=20 - i), 10)
        )
        for session, mark in zip(
            finished.sessions.order_by("starts_at"), marks[person], strict=True
        ):
            courses.mark_attendance(session=session, enrolment=enrolment, mark=mark, by=staff)
    completed, _not = courses.close_run(
        run=finished, by=staff, now=_at(ago + timedelta(days=4), 16, 30)
    )
    stdout.write(f"  {kiln.title_th} {finished.name}: closed, {len(completed)} certificates")

    # Run 1/2570 of the design course: open, its one place taken, two waiting.
    design_run = _run(
        design,
        "รุ่นที่ 1/2570",
        capacity=1,
        opens=_at(today - timedelta(days=5), 8, 30),
        closes=_at(today + timedelta(days=12), 16, 30),
        sessions=[
            (today + timedelta(days=19), "เรื่องเล่าของชุมชนและแบบร่าง"),
            (today + timedelta(days=20), "ทำต้นแบบ"),
            (today + timedelta(days=26), "ราคาขายและการนำเสนอ"),
        ],
        place=CLASSROOM,
        instructor=officer,
    )
    for hours_ago, person in [(100, owner), (30, student), (6, faculty)]:
        courses.enrol(
            run=design_run, person=person, now=timezone.now() - timedelta(hours=hours_ago)
        )
    stdout.write(f"  {design.title_th} {design_run.name}: full, 2 on the waitlist")

    # Run 1/2570 of the kiln course: open with places left.
    upcoming = _run(
        kiln,
        "รุ่นที่ 1/2570",
        capacity=10,
        opens=_at(today - timedelta(days=1), 8, 30),
        closes=_at(today + timedelta(days=21), 16, 30),
        sessions=[
            (today + timedelta(days=28), "ความปลอดภัยและการบรรจุเตา"),
            (today + timedelta(days=30), "โปรแกรมเผาดิบและเผาเคลือบ"),
            (today + timedelta(days=32), "ฝึกเผาจริงและปิดเตา"),
        ],
        place=CENTRE_ROOM,
        instructor=staff,
    )
    stdout.write(f"  {kiln.title_th} {upcoming.name}: open, {upcoming.capacity} places")
