"""Demo lab: the Ko Kha centre's equipment, clearances and a week of bookings.

Resources, rules, opening hours, clearances, a holiday and a maintenance record are
written through the models (they are demo data); new bookings, approvals, check-ins,
completion and a cancellation go through training/services, so their audit rows and
notifications are the ones real use makes. The past (yesterday's firing, a no-show two
days ago, this morning's check-in) is written as rows first, with `blocked_until` set as
the service would. Idempotent: nothing is done when the electric kiln exists already.

The future bookings fall on the next three working days; the centre-wide holiday is on
Thursday of next week, after all of them whatever day the demo is seeded.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, User
from entrepreneurs.demo import enterprise

from .models import (
    Atmosphere,
    Blackout,
    BlackoutReason,
    Booking,
    BookingStatus,
    Clearance,
    ClearanceKind,
    MaintenanceRecord,
    OpeningHours,
    Purpose,
    Resource,
    ResourceKind,
    UsageLog,
)
from .services import bookings

STAFF_EMAIL = "staff@demo.nakhon-ceramic.test"
FACULTY_EMAIL = "faculty@demo.nakhon-ceramic.test"
STUDENT_EMAIL = "student.demo@dome.tu.ac.th"
OWNER_EMAIL = "owner@demo.nakhon-ceramic.test"

S = BookingStatus
STUDENTS_FACULTY_ENTREPRENEURS = [Role.STUDENT, Role.FACULTY, Role.ENTREPRENEUR]
WEEKDAYS = range(5)  # Monday to Friday
MORNING, AFTERNOON = (time(8, 30), time(12)), (time(13), time(16, 30))
WHOLE_DAY = (time(8, 30), time(16, 30))

COURSE_TH = "หลักสูตรการใช้เตาเผา ศูนย์วิจัยฯ เกาะคา"
COURSE_EN = "the kiln-operation course at the Ko Kha centre"

CLEARANCE_KINDS = {
    "electric-kiln": {
        "name_th": "การใช้เตาเผาไฟฟ้า",
        "name_en": "Electric kiln operation",
        "description_th": "บรรจุเตา ตั้งโปรแกรมเผา และปิดเตาอย่างปลอดภัย",
        "description_en": "Loading, programming and shutting down an electric kiln safely.",
        "earned_at_th": COURSE_TH,
        "earned_at_en": COURSE_EN,
    },
    "gas-kiln": {
        "name_th": "การใช้เตาเผาแก๊ส",
        "name_en": "Gas kiln operation",
        "description_th": "จุดเตา ควบคุมบรรยากาศรีดักชัน และตรวจรอยรั่วของระบบแก๊ส",
        "description_en": "Lighting, controlling a reduction atmosphere, checking the gas line.",
        "earned_at_th": "หลักสูตรการเผาเตาแก๊สและการเผารีดักชัน ศูนย์วิจัยฯ เกาะคา",
        "earned_at_en": "the gas-kiln and reduction-firing course at the Ko Kha centre",
    },
    "clay-printer": {
        "name_th": "การใช้เครื่องพิมพ์ดินสามมิติ",
        "name_en": "3D clay printer",
        "description_th": "เตรียมดิน บรรจุกระบอกอัด และสั่งพิมพ์จากไฟล์ G-code",
        "description_en": "Preparing the clay, loading the cartridge, printing from G-code.",
        "earned_at_th": "อบรมเชิงปฏิบัติการการขึ้นรูปด้วยเครื่องพิมพ์สามมิติ ศูนย์วิจัยฯ เกาะคา",
        "earned_at_en": "the 3D clay printing workshop at the Ko Kha centre",
    },
}

# (key, fields, opening hours per weekday: {weekday: [(opens, closes), ...]}).
RESOURCES = [
    (
        "electric_kiln",
        {
            "kind": ResourceKind.ELECTRIC_KILN,
            "name_th": "เตาเผาไฟฟ้า 200 ลิตร",
            "name_en": "Electric kiln, 200 litres",
            "location": "อาคารเตาเผา ห้อง 102",
            "description_th": "เผาได้ถึง 1,300 °C ตั้งโปรแกรมได้ 9 ขั้น เหมาะกับการเผาดิบและเผาเคลือบ",
            "description_en": "Up to 1,300 °C, nine-step controller; bisque and glaze firings.",
            "slot_minutes": 30,
            "min_minutes": 120,
            "max_minutes": 600,
            "earliest_hours": 0,
            "latest_days": 30,
            "cooldown_minutes": 8 * 60,
            "clearance": "electric-kiln",
            "clearance_lapse_days": 180,
            "needs_approval": False,
            "bookable_by": STUDENTS_FACULTY_ENTREPRENEURS,
            "weekly_limit_hours": 20,
        },
        {day: [WHOLE_DAY] for day in WEEKDAYS},
    ),
    (
        "gas_kiln",
        {
            "kind": ResourceKind.GAS_KILN,
            "name_th": "เตาเผาแก๊สแบบชัตเทิล 1 ลูกบาศก์เมตร",
            "name_en": "Gas shuttle kiln, 1 m³",
            "location": "ลานเตาเผา ด้านหลังอาคาร 2",
            "description_th": "เผารีดักชันสำหรับเคลือบเซลาดอนและเคลือบขี้เถ้า",
            "description_en": "Reduction firings for celadon and ash glazes.",
            "slot_minutes": 30,
            "min_minutes": 240,
            "max_minutes": 480,
            "earliest_hours": 24,
            "latest_days": 45,
            "cooldown_minutes": 12 * 60,
            "clearance": "gas-kiln",
            "needs_approval": True,
            "bookable_by": [Role.FACULTY, Role.ENTREPRENEUR],
        },
        {day: [WHOLE_DAY] for day in WEEKDAYS},
    ),
    (
        "glaze_lab",
        {
            "kind": ResourceKind.GLAZE_LAB,
            "name_th": "ห้องปฏิบัติการเคลือบ",
            "name_en": "Glaze laboratory",
            "location": "อาคาร 1 ชั้น 2",
            "description_th": "โต๊ะชั่งสาร เครื่องบดเคลือบ ตู้ดูดควัน สำหรับผสมและทดลองเคลือบ",
            "description_en": "Scales, ball mills and a fume hood for mixing and testing glazes.",
            "slot_minutes": 60,
            "min_minutes": 60,
            "max_minutes": 240,
            "latest_days": 30,
            "needs_approval": False,
            "bookable_by": STUDENTS_FACULTY_ENTREPRENEURS,
            "weekly_limit_hours": 12,
        },
        # Whole hours, Saturday mornings too.
        {
            **{day: [(time(9), time(12)), (time(13), time(16))] for day in WEEKDAYS},
            5: [(time(9), time(12))],
        },
    ),
    (
        "slip_casting",
        {
            "kind": ResourceKind.SLIP_CASTING,
            "name_th": "สถานีหล่อน้ำดิน",
            "name_en": "Slip-casting station",
            "location": "อาคาร 1 ชั้น 1",
            "description_th": "โต๊ะหล่อพร้อมแม่พิมพ์ปูนปลาสเตอร์และถังกวนน้ำดิน",
            "description_en": "Casting bench with plaster moulds and a slip mixer.",
            "slot_minutes": 30,
            "min_minutes": 60,
            "max_minutes": 240,
            "latest_days": 30,
            "needs_approval": False,
            "bookable_by": STUDENTS_FACULTY_ENTREPRENEURS,
        },
        {day: [MORNING, AFTERNOON] for day in WEEKDAYS},
    ),
    (
        "clay_printer",
        {
            "kind": ResourceKind.CLAY_PRINTER,
            "name_th": "เครื่องพิมพ์ดินสามมิติ",
            "name_en": "3D clay printer",
            "location": "อาคาร 1 ห้องนวัตกรรม",
            "description_th": "พิมพ์ชิ้นงานสูงได้ถึง 40 ซม. จากดินเนื้อละเอียด",
            "description_en": "Prints pieces up to 40 cm high in fine clay bodies.",
            "slot_minutes": 30,
            "min_minutes": 60,
            "max_minutes": 480,
            "latest_days": 30,
            "clearance": "clay-printer",
            "needs_approval": True,
            "bookable_by": STUDENTS_FACULTY_ENTREPRENEURS,
        },
        {day: [WHOLE_DAY] for day in WEEKDAYS},
    ),
    (
        "tester",
        {
            "kind": ResourceKind.TESTING,
            "name_th": "เครื่องทดสอบการดูดซึมน้ำและการทนการเปลี่ยนแปลงอุณหภูมิ",
            "name_en": "Water absorption and thermal shock tester",
            "location": "ห้องทดสอบวัสดุ อาคาร 3",
            "description_th": "ทดสอบตามมาตรฐาน มอก. และ มผช. ผลิตภัณฑ์เซรามิก",
            "description_en": "Tests to the Thai industrial and community product standards.",
            "slot_minutes": 30,
            "min_minutes": 60,
            "max_minutes": 240,
            "latest_days": 30,
            "needs_approval": False,
            "bookable_by": [Role.FACULTY],
        },
        {day: [MORNING, AFTERNOON] for day in WEEKDAYS},
    ),
]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def working_days_after(day, n):
    """The next `n` days after `day` from Monday to Friday."""
    found = []
    while len(found) < n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found


def holiday_date(today):
    """Thursday of next week."""
    return today + timedelta(days=7 - today.weekday() + 3)


def _clearance_kinds():
    return {
        code: ClearanceKind.objects.get_or_create(code=code, defaults=fields)[0]
        for code, fields in CLEARANCE_KINDS.items()
    }


def _resources(kinds):
    made = {}
    for key, fields, hours in RESOURCES:
        fields = dict(fields)
        code = fields.pop("clearance", None)
        resource = Resource.objects.create(
            required_clearance=kinds[code] if code else None, **fields
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, weekday=day, opens=opens, closes=closes)
            for day, periods in hours.items()
            for opens, closes in periods
        )
        made[key] = resource
    return made


def _row(resource, owner, start, end, status, purpose=Purpose.RESEARCH, **fields):
    """A booking written as a row (the past), with its cool-down as the service stores it."""
    return Booking.objects.create(
        resource=resource,
        owner=owner,
        starts_at=start,
        ends_at=end,
        blocked_until=end + resource.cooldown,
        status=status,
        purpose=purpose,
        **fields,
    )


def seed(*, stdout, style):
    _seed_lab(stdout=stdout, style=style)
    # The courses need the lab's clearance kinds; each part is idempotent on its own.
    from .demo_courses import seed as seed_courses

    seed_courses(stdout=stdout, style=style)


def _seed_lab(*, stdout, style):
    stdout.write(style.MIGRATE_HEADING("Demo lab (Ko Kha centre)"))
    if Resource.objects.filter(name_en=RESOURCES[0][1]["name_en"]).exists():
        stdout.write(f"  {RESOURCES[0][1]['name_th']}: already there")
        return
    staff = User.objects.get(email=STAFF_EMAIL)
    faculty = User.objects.get(email=FACULTY_EMAIL)
    student = User.objects.get(email=STUDENT_EMAIL)
    owner = User.objects.get(email=OWNER_EMAIL)
    today = timezone.localdate()
    yesterday, two_days_ago = today - timedelta(days=1), today - timedelta(days=2)
    day1, day2, day3 = working_days_after(today, 3)

    kinds = _clearance_kinds()
    r = _resources(kinds)
    in_a_year = today + timedelta(days=365)
    # Written as rows: the grant service's notice (clearance_granted) comes with the
    # clearance pages; a demo clearance needs no e-mail.
    for holder, code, note in [
        (student, "electric-kiln", "ผ่านการอบรมรุ่นที่ 3/2569"),
        (faculty, "clay-printer", ""),
        (faculty, "gas-kiln", ""),
        (owner, "gas-kiln", "ผ่านการอบรมร่วมกับวิสาหกิจชุมชนบ้านท่าผา"),
    ]:
        Clearance.objects.create(
            holder=holder,
            kind=kinds[code],
            valid_until=in_a_year,
            granted_at=timezone.now() - timedelta(days=30),
            granted_by=staff,
            note=note,
        )

    # Yesterday: the student's bisque firing, checked in and completed by the staff.
    firing = _row(
        r["electric_kiln"],
        student,
        _at(yesterday, 8, 30),
        _at(yesterday, 16, 30),
        S.APPROVED,
        purpose=Purpose.COURSE_PROJECT,
        description="เผาดิบชิ้นงานโปรเจกต์จบ ชุดจานลายดอกพุดตาน",
    )
    bookings.check_in(booking=firing, by=staff, now=_at(yesterday, 8, 35))
    bookings.complete(booking=firing, by=staff, now=_at(yesterday, 16, 30))
    UsageLog.objects.create(
        booking=firing,
        recorded_by=staff,
        summary="เผาดิบจาน 24 ใบ ไม่มีชิ้นงานแตก",
        firing_program="เผาดิบ 2 ช่วง: 100 °C/ชม. ถึง 600 °C แล้ว 150 °C/ชม.",
        cone="06",
        peak_temperature_c=999,
        firing_minutes=480,
        atmosphere=Atmosphere.OXIDATION,
        load="จาน 10 นิ้ว 24 ใบ บนแผ่นรอง 3 ชั้น",
    )
    # Two days ago: the owner did not come to the slip-casting station.
    _row(
        r["slip_casting"],
        owner,
        _at(two_days_ago, 9),
        _at(two_days_ago, 12),
        S.NO_SHOW,
        description="หล่อแจกันทดลองจากแม่พิมพ์ใหม่",
    )
    # Today: the faculty member is in the glaze lab; a test waits for its check-in.
    glazing = _row(
        r["glaze_lab"],
        faculty,
        _at(today, 9),
        _at(today, 12),
        S.APPROVED,
        description="ทดลองสูตรเคลือบเซลาดอนไร้ตะกั่ว 12 สูตร",
    )
    bookings.check_in(booking=glazing, by=staff, now=_at(today, 9, 5))
    _row(
        r["tester"],
        faculty,
        _at(today, 13),
        _at(today, 15),
        S.APPROVED,
        description="ทดสอบการดูดซึมน้ำของชิ้นทดลอง 10 ชิ้น",
    )

    # The coming days, through the booking service.
    bookings.book(
        resource=r["electric_kiln"],
        by=student,
        starts_at=_at(day1, 8, 30),
        ends_at=_at(day1, 14, 30),
        purpose=Purpose.COURSE_PROJECT,
        description="เผาเคลือบชุดจานลายดอกพุดตาน",
    )  # approved at once: the kiln needs no approval
    bookings.book(
        resource=r["clay_printer"],
        by=faculty,
        starts_at=_at(day1, 9),
        ends_at=_at(day1, 15),
        purpose=Purpose.RESEARCH,
        description="พิมพ์กระถางลายคลื่นจากดินผสมใหม่",
    )  # waits for the staff's decision
    reduction = bookings.book(
        resource=r["gas_kiln"],
        by=faculty,
        starts_at=_at(day2, 8, 30),
        ends_at=_at(day2, 16, 30),
        purpose=Purpose.RESEARCH,
        description="เผารีดักชันเคลือบเซลาดอน กรวย 9",
    )
    bookings.approve(booking=reduction, by=staff, note="เตรียมแก๊สไว้ 2 ถัง")
    bookings.book(
        resource=r["gas_kiln"],
        by=owner,
        starts_at=_at(day3, 8, 30),
        ends_at=_at(day3, 16, 30),
        purpose=Purpose.PROTOTYPE,
        product=enterprise("tha_pha").products.order_by("pk").first(),
        description="เผาต้นแบบชุดน้ำชาเซลาดอนสำหรับร้านของฝาก",
    )
    change = bookings.book(
        resource=r["glaze_lab"],
        by=student,
        starts_at=_at(day2, 13),
        ends_at=_at(day2, 15),
        purpose=Purpose.COURSE_PROJECT,
        description="ผสมเคลือบขี้เถ้าแกลบ",
    )
    bookings.cancel(booking=change, by=student, reason="เลื่อนไปทดลองพร้อมเพื่อนในกลุ่ม")

    holiday = holiday_date(today)
    Blackout.objects.create(
        resource=None,
        starts_at=_at(holiday, 0),
        ends_at=_at(holiday + timedelta(days=1), 0),
        reason=BlackoutReason.HOLIDAY,
        note="วันหยุดราชการ ศูนย์ฯ ปิดทั้งวัน",
        created_by=staff,
    )
    MaintenanceRecord.objects.create(
        resource=r["gas_kiln"],
        performed_on=today - timedelta(days=20),
        work="เปลี่ยนหัวเผาชุดที่ 2 ตรวจรอยรั่วท่อแก๊ส และสอบเทียบเทอร์โมคัปเปิล",
        performed_by="หจก. ลำปางเตาเผาเซอร์วิส",
        next_due_on=today + timedelta(days=70),
        recorded_by=staff,
    )

    for resource in r.values():
        stdout.write(f"  {resource.name_th}")
    for booking in Booking.objects.select_related("resource").order_by("starts_at"):
        stdout.write(f"    {booking.get_status_display():<14} {booking}")
