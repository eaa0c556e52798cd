"""Demo programme: DIPROM's creative-materials programme with its partners and open intakes.

The programme, partners and intakes are written through the models (they are demo data);
the applications go through programmes/services.py, so their history, audit rows and
notifications are the ones a real application gets. Idempotent: nothing is done when
the programme exists already.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from entrepreneurs.demo import enterprise
from entrepreneurs.models import Province
from products.models import UpgradeArea, UpgradeStage
from products.services.upgrades import record_upgrade

from . import services
from .models import (
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

OFFICER_EMAIL = "officer@demo.nakhon-ceramic.test"
OWNER_EMAIL = "owner@demo.nakhon-ceramic.test"
FACULTY_EMAIL = "faculty@demo.nakhon-ceramic.test"
LAMPANG = "52"

TITLE_TH = "โครงการพัฒนาอุตสาหกรรมวัสดุสร้างสรรค์และหัตถอุตสาหกรรม"
TITLE_EN = "Creative industrial materials and craft industry"

PARTNERS = [
    (
        "กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)",
        "Department of Industrial Promotion (DIPROM)",
        PartnerKind.GOVERNMENT,
        PartnerRole.LEAD,
        "",
    ),
    (
        "ศูนย์ลำปาง มหาวิทยาลัยธรรมศาสตร์",
        "Thammasat University Lampang Centre",
        PartnerKind.UNIVERSITY,
        PartnerRole.CO_IMPLEMENTER,
        "MOU ดีพร้อม-มธ. 14/2569",
    ),
    (
        "ศูนย์วิจัยและพัฒนาวัสดุอุตสาหกรรมสร้างสรรค์ เกาะคา",
        "Creative Industrial Materials R&D Centre, Ko Kha",
        PartnerKind.UNIVERSITY,
        PartnerRole.FACILITY_HOST,
        "ข้อตกลงใช้ห้องปฏิบัติการ 3/2569",
    ),
]

QUESTIONS = [
    (
        "ต้องการยกระดับผลิตภัณฑ์ด้านใด และเพราะเหตุใด",
        "What do you want to upgrade in your products, and why?",
    ),
    (
        "สมาชิกกี่คนจะเข้าอบรมที่ศูนย์ฯ เกาะคา",
        "How many members will attend training at the Ko Kha centre?",
    ),
]

# (enterprise key, product names, answers, decisions by the officer: (status, note)).
APPLICATIONS = [
    (
        "tha_pha",
        ["ชุดน้ำชาเซลาดอน 5 ชิ้น", "แจกันดินขาวลำปางทรงหยดน้ำ"],
        ["พัฒนาเคลือบเซลาดอนไร้สารตะกั่วเพื่อขอ มผช. และส่งร้านของฝาก", "4 คน"],
        [
            (EnrolmentStatus.UNDER_REVIEW, ""),
            (EnrolmentStatus.ACCEPTED, "ยินดีต้อนรับเข้าสู่รุ่นที่ 1 ปฐมนิเทศวันจันทร์แรกของเดือน"),
        ],
    ),
    (
        "rooster",
        ["ชามตราไก่เขียนมือ 6 นิ้ว"],
        ["ออกแบบลายไก่ร่วมสมัยและบรรจุภัณฑ์สำหรับส่งออก", "3 คน"],
        [(EnrolmentStatus.UNDER_REVIEW, "")],
    ),
    (
        "lai_hin",
        ["กระถางต้นไม้พิมพ์สามมิติ ลายคลื่น"],
        ["ปรับสูตรดินสำหรับเครื่องพิมพ์สามมิติให้ผิวเรียบขึ้น", "1 คน"],
        [],
    ),
    (
        "nakhon_lampang",
        ["แก้วมัคเคลือบสีฟ้าคราม"],
        ["ลดการใช้พลังงานของเตาอุโมงค์", "2 คน"],
        [
            (
                EnrolmentStatus.WAITLISTED,
                "รุ่นนี้ให้สิทธิ์วิสาหกิจชุมชนก่อน จะแจ้งเมื่อมีที่ว่าง",
            )
        ],
    ),
]
# The unverified enterprise applies to the design clinic, which takes any enterprise, and
# is asked for more before review.
RETURNED = (
    "na_kaeo",
    ["ตุ๊กตาไก่ดินเผา"],
    ["ออกแบบของที่ระลึกชุดใหม่", "2 คน"],
    [(EnrolmentStatus.RETURNED, "โปรดแนบรูปผลิตภัณฑ์ด้านข้างและระบุราคาขายปลีกปัจจุบัน")],
)


def _programme(officer):
    programme = Programme.objects.create(
        title_th=TITLE_TH,
        title_en=TITLE_EN,
        description_th=(
            "ยกระดับผลิตภัณฑ์เซรามิกชุมชนลำปางทั้งด้านการออกแบบ มาตรฐาน การใช้งาน และนวัตกรรม "
            "ด้วยการอบรมและห้องปฏิบัติการของศูนย์วิจัยฯ เกาะคา"
        ),
        description_en=(
            "Upgrades Lampang community ceramics in design, standards, usability and "
            "innovation, with training and the laboratories of the Ko Kha R&D centre."
        ),
        fiscal_year=2570,
        policy="DIPROM CARE",
        status=ProgrammeStatus.ACTIVE,
        target_enterprises=20,
        target_design=10,
        target_standards=6,
        target_usability=6,
        target_innovation=4,
        target_revenue_uplift=Decimal("15.00"),
        created_by=officer,
    )
    for name_th, name_en, kind, role, reference in PARTNERS:
        partner, _created = Partner.objects.get_or_create(
            name_th=name_th, defaults={"name_en": name_en, "kind": kind}
        )
        ProgrammePartner.objects.create(
            programme=programme, partner=partner, role=role, agreement_reference=reference
        )
    return programme


def _intake(programme, *, name_th, name_en, capacity, verified_only, closes_in):
    # Windows open at 08:30 and close at 16:30, Bangkok time, as an office would set them.
    today = timezone.localdate()
    opens = datetime.combine(today - timedelta(days=7), time(8, 30))
    closes = datetime.combine(today + timedelta(days=closes_in), time(16, 30))
    intake = Intake.objects.create(
        programme=programme,
        name_th=name_th,
        name_en=name_en,
        opens_at=timezone.make_aware(opens),
        closes_at=timezone.make_aware(closes),
        capacity=capacity,
        verified_only=verified_only,
    )
    intake.eligible_provinces.set(Province.objects.filter(code=LAMPANG))
    for position, (text_th, text_en) in enumerate(QUESTIONS):
        IntakeQuestion.objects.create(
            intake=intake, text_th=text_th, text_en=text_en, position=position
        )
    return intake


def _apply(intake, spec, *, owner, officer):
    key, product_names, answers, decisions = spec
    applicant = enterprise(key)
    # The demo owner applies for their own enterprise; the officer for the others.
    by = owner if applicant.members.filter(user=owner).exists() else officer
    questions = list(intake.questions.all())
    enrolment = services.save_application(
        intake=intake,
        enterprise=applicant,
        by=by,
        products=applicant.products.filter(name_th__in=product_names),
        answers={q.pk: text for q, text in zip(questions, answers, strict=True)},
    )
    enrolment = services.submit_application(enrolment=enrolment, by=by)
    for decision, note in decisions:
        enrolment = services.decide_enrolment(
            enrolment=enrolment, by=officer, decision=decision, note=note
        )
    return enrolment


def _first_upgrade(enrolment, *, faculty):
    """The accepted enterprise's first design work in the programme: it counts on the dashboard."""
    product = enrolment.products.order_by("pk").first()
    record_upgrade(
        product=product,
        by=faculty,
        data={
            "area": UpgradeArea.DESIGN,
            "stage": UpgradeStage.ASSESSMENT,
            "summary": "ประเมินรูปทรงและลายเคลือบเดิมร่วมกับผู้เชี่ยวชาญดีพร้อม",
            "what_changed": "สำรวจตลาดของฝากและกำหนดโจทย์ออกแบบชุดใหม่สามแบบ",
            "expert": faculty,
            "started_on": timezone.localdate(),
        },
    )


def seed(*, stdout, style):
    stdout.write(style.MIGRATE_HEADING("Demo programme"))
    if Programme.objects.filter(title_th=TITLE_TH).exists():
        stdout.write(f"  {TITLE_TH}: already there")
        return
    officer = User.objects.get(email=OFFICER_EMAIL)
    owner = User.objects.get(email=OWNER_EMAIL)
    programme = _programme(officer)
    cohort = _intake(
        programme,
        name_th="รุ่นที่ 1 ปีงบประมาณ 2570",
        name_en="Cohort 1, FY 2027 (B.E. 2570)",
        capacity=4,
        verified_only=True,
        closes_in=30,
    )
    clinic = _intake(
        programme,
        name_th="คลินิกออกแบบสำหรับวิสาหกิจใหม่",
        name_en="Design clinic for new enterprises",
        capacity=10,
        verified_only=False,
        closes_in=45,
    )
    enrolments = [_apply(cohort, spec, owner=owner, officer=officer) for spec in APPLICATIONS]
    enrolments.append(_apply(clinic, RETURNED, owner=owner, officer=officer))
    _first_upgrade(enrolments[0], faculty=User.objects.get(email=FACULTY_EMAIL))
    stdout.write(f"  {programme.title_th}")
    for enrolment in enrolments:
        stdout.write(f"    {enrolment.get_status_display():<20} {enrolment.enterprise.name_th}")
