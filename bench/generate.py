"""Fill an empty database with the national data set for the benchmarks.

    .venv/bin/python bench/generate.py --yes [--enterprises 50000] [--products 190000]
        [--enrolments 100000] [--[no-]training] [--course-enrolments 20000]
        [--lab-bookings 0] [--only registry|enrolments|training|lab ...]

Writes into the database DATABASE_URL names (use PostgreSQL: bench/README.md): enterprises
spread over all 7,436 subdistricts with Thai names built from syllables, their products
in every category and status, photos (two small generated files shared by all rows) and
upgrade records for about one product in eight. Rows go in with bulk_create in batches,
so save() does not run: search_text is built here with the models' own method.

With the registry it writes the programmes and the training records (bench/README.md,
"The data"): programmes of fiscal years 2567-2570 with partners, KPI targets and intakes,
and --enrolments N applications (100,000 by default) of the generated enterprises in the
states their intake's dates make likely, each with its history; courses, runs over two
years with their sessions (in training rooms booked in the lab calendar, or elsewhere),
--course-enrolments N enrolments (20,000) of generated people, attendance, certificates
and the clearances they grant (--no-training skips them). `--only enrolments` (or
training) writes that part alone, e.g. on a database that holds an earlier run's registry.

With --lab-bookings N it also writes the Ko Kha lab at volume (bench/README.md, "Ko Kha
lab"): 20 resources (four kilns with their cool-downs) and N bookings spread over two
years around today, never overlapping on a resource in the states that block it, owned by
2,000 generated people. --lab-only writes the lab and nothing of the registry.

It refuses a database whose enterprises table holds anything but an earlier run's rows
(all of them registered by the bench's own account), and skips a part whose tables hold
rows it did not write (programmes, courses, clearances, bookings): never point it at real
data. When an earlier run's data is there it leaves it as it is and adds only the parts
that are missing, so scripts/bench can be re-run.
"""

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from entrepreneurs.models import (  # noqa: E402
    Enterprise,
    EnterpriseKind,
    Province,
    Subdistrict,
    VerificationStatus,
)
from products.models import (  # noqa: E402
    Category,
    ClayBody,
    FormingMethod,
    KilnType,
    Product,
    ProductImage,
    ProductStatus,
    UpgradeArea,
    UpgradeRecord,
    UpgradeStage,
)
from programmes.models import (  # noqa: E402
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Intake,
    Partner,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeStatus,
)
from toolkit.thaidates import fiscal_year  # noqa: E402
from training.models import (  # noqa: E402
    ATTENDED,
    BLOCKING_STATES,
    Attendance,
    AttendanceMark,
    Audience,
    Booking,
    BookingStatus,
    Certificate,
    Clearance,
    ClearanceKind,
    Course,
    CourseClearance,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    OpeningHours,
    Purpose,
    Resource,
    ResourceKind,
    RunStatus,
)
from training.services.courses import CODE_ALPHABET, CODE_LENGTH  # noqa: E402

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")

GENERATOR_EMAIL = "bench.generator@bench.invalid"
BATCH = 5000

# Village names are two syllables: a landform, then a qualifier. เกาะ + คา makes เกาะคา.
HEADS = [
    ("ทุ่ง", "Thung"),
    ("หนอง", "Nong"),
    ("ดอน", "Don"),
    ("ป่า", "Pa"),
    ("บ่อ", "Bo"),
    ("ห้วย", "Huai"),
    ("แม่", "Mae"),
    ("เกาะ", "Ko"),
    ("สัน", "San"),
    ("ท่า", "Tha"),
    ("วัง", "Wang"),
    ("ต้น", "Ton"),
    ("ปง", "Pong"),
]
TAILS = [
    ("คา", "Kha"),
    ("ไผ่", "Phai"),
    ("แก้ว", "Kaeo"),
    ("ทอง", "Thong"),
    ("หลวง", "Luang"),
    ("ใหม่", "Mai"),
    ("ม่วง", "Muang"),
    ("ยาง", "Yang"),
    ("ขาว", "Khao"),
    ("ลำ", "Lam"),
    ("เหนือ", "Nuea"),
    ("ใต้", "Tai"),
    ("ดินแดง", "Din Daeng"),
    ("โป่ง", "Pong"),
    ("ศรี", "Si"),
    ("เวียง", "Wiang"),
    ("ฮ่อง", "Hong"),
    ("แพะ", "Phae"),
    ("เหล่า", "Lao"),
    ("สบ", "Sop"),
]
CRAFTS = [
    ("เครื่องปั้นดินเผา", "Pottery"),
    ("เซรามิก", "Ceramics"),
    ("ชามตราไก่", "Rooster Bowl"),
    ("ศิลาดล", "Celadon"),
    ("ดินเผา", "Terracotta"),
    ("สโตนแวร์", "Stoneware"),
]
FIRST_NAMES = ["บุญมี", "สมศรี", "ประยูร", "คำปัน", "จันทร์เพ็ญ", "อินทร", "ศรีนวล", "แสงเดือน"]
LAST_NAMES = ["ปั้นดี", "ใจงาม", "คำดี", "ดินดี", "แก้วมูล", "ศรีวิชัย", "อินต๊ะ", "วงศ์ใหญ่"]
# (Thai, English, category code)
PRODUCT_TYPES = [
    ("ชาม", "Bowl", "tableware-stoneware"),
    ("ชามตราไก่", "Rooster bowl", "tableware-chicken-bowl"),
    ("จาน", "Plate", "tableware-porcelain"),
    ("ถ้วยกาแฟ", "Coffee cup", "tableware-porcelain"),
    ("แก้วมัค", "Mug", "tableware-stoneware"),
    ("ชุดน้ำชา", "Tea set", "tableware-porcelain"),
    ("แจกัน", "Vase", "decor-vase"),
    ("กระถาง", "Planter", "decor-vase"),
    ("ตุ๊กตาช้าง", "Elephant figurine", "decor-ornament"),
    ("โคมไฟ", "Lamp", "decor-ornament"),
    ("โถ", "Jar", "other-household"),
    ("กระเบื้อง", "Tile", "other-tiles"),
]
PATTERNS = [
    ("ลายคราม", "blue and white"),
    ("เคลือบศิลาดล", "celadon glaze"),
    ("ลายดอกบัว", "lotus pattern"),
    ("ลายไก่", "rooster pattern"),
    ("ดินเผา", "terracotta"),
    ("เคลือบขี้เถ้า", "ash glaze"),
    ("ลายช้าง", "elephant pattern"),
    ("ลายกาแล", "kalae pattern"),
    ("ลายผ้าทอ", "woven pattern"),
]
KINDS = {
    EnterpriseKind.COMMUNITY_ENTERPRISE: 55,
    EnterpriseKind.OTOP_GROUP: 20,
    EnterpriseKind.ARTISAN: 12,
    EnterpriseKind.SME: 10,
    EnterpriseKind.NETWORK: 3,
}
STATUSES = {
    VerificationStatus.VERIFIED: 60,
    VerificationStatus.UNVERIFIED: 35,
    VerificationStatus.INACTIVE: 5,
}
PRODUCT_STATUSES = {
    ProductStatus.PUBLISHED: 65,
    ProductStatus.DRAFT: 25,
    ProductStatus.ARCHIVED: 10,
}
SUMMARIES = {
    UpgradeArea.DESIGN: "ออกแบบลวดลายและรูปทรงใหม่",
    UpgradeArea.STANDARDS: "ยื่นขอรับรองมาตรฐาน มผช.",
    UpgradeArea.USABILITY: "ปรับหูจับและน้ำหนักให้ใช้งานง่าย",
    UpgradeArea.INNOVATION: "ใช้เคลือบไร้สารตะกั่วสูตรใหม่",
}


def weighted(rng, table):
    return rng.choices(list(table), weights=list(table.values()))[0]


def moment(rng, start, end):
    return start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


class Generator:
    def __init__(self, *, seed, enterprises, products):
        self.rng = random.Random(seed)
        self.seed = seed
        self.enterprise_total = enterprises
        self.product_total = products
        self.start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        self.end = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

    # --- Enterprises ---------------------------------------------------------------------

    def village(self):
        (head, head_en), (tail, tail_en) = self.rng.choice(HEADS), self.rng.choice(TAILS)
        return head + tail, f"{head_en} {tail_en}"

    def enterprise_names(self, kind, place):
        rng = self.rng
        craft, craft_en = rng.choice(CRAFTS)
        # Half are named for a made-up village, half for their real subdistrict.
        village, village_en = self.village() if rng.random() < 0.5 else place
        if kind == EnterpriseKind.COMMUNITY_ENTERPRISE:
            th = f"วิสาหกิจชุมชน{craft}บ้าน{village}"
            en = f"Ban {village_en} {craft_en} Community Enterprise"
        elif kind == EnterpriseKind.NETWORK:
            th = f"เครือข่ายวิสาหกิจชุมชน{craft}{village}"
            en = f"{village_en} {craft_en} Community Enterprise Network"
        elif kind == EnterpriseKind.OTOP_GROUP:
            th = f"กลุ่มผู้ผลิต{craft}บ้าน{village}"
            en = f"Ban {village_en} {craft_en} OTOP Group"
        elif kind == EnterpriseKind.SME:
            th = f"บริษัท {craft}{village} จำกัด"
            en = f"{village_en} {craft_en} Co., Ltd."
        else:
            th = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} ({craft}{village})"
            en = f"{craft_en} studio, {village_en}"
        # Many small enterprises have no English name on record.
        return th, en if rng.random() < 0.6 else ""

    def enterprises(self, subdistricts, creator):
        rng = self.rng
        order = list(range(len(subdistricts)))
        rng.shuffle(order)
        for i in range(self.enterprise_total):
            sub = subdistricts[order[i % len(order)]]
            kind = weighted(rng, KINDS)
            name_th, name_en = self.enterprise_names(kind, (sub.name_th, sub.name_en))
            code = None
            if kind in (EnterpriseKind.COMMUNITY_ENTERPRISE, EnterpriseKind.NETWORK) and i < 10**5:
                code = f"{rng.randint(1, 9)}{sub.code}{i:05d}"
            status = weighted(rng, STATUSES)
            enterprise = Enterprise(
                kind=kind,
                name_th=name_th,
                name_en=name_en,
                registration_code=code,
                address_line=f"{rng.randint(1, 250)} หมู่ {rng.randint(1, 15)}",
                subdistrict_id=sub.code,
                district_id=sub.district_id,
                province_id=sub.district.province_id,
                postal_code=sub.postal_code_list[0],
                phone=f"0{rng.randint(50, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                status=status,
                status_changed_at=None if status == VerificationStatus.UNVERIFIED else self.end,
                created_by=creator,
                created_at=moment(rng, self.start, self.end),
            )
            enterprise.search_text = enterprise.build_search_text()
            yield enterprise

    # --- Products ------------------------------------------------------------------------

    def products(self, enterprises, categories):
        rng = self.rng
        for _ in range(self.product_total):
            enterprise = rng.choice(enterprises)
            kind_th, kind_en, category_code = rng.choice(PRODUCT_TYPES)
            pattern, pattern_en = rng.choice(PATTERNS)
            category = categories[category_code]
            name_th, name_en = f"{kind_th}{pattern}", f"{kind_en}, {pattern_en}"
            if rng.random() < 0.4:
                village, village_en = self.village()
                name_th, name_en = f"{name_th}บ้าน{village}", f"{name_en} (Ban {village_en})"
            status = weighted(rng, PRODUCT_STATUSES)
            created_at = moment(rng, enterprise.created_at, self.end + dt.timedelta(days=1))
            stars = rng.choices([None, 1, 2, 3, 4, 5], weights=[70, 4, 6, 9, 7, 4])[0]
            product = Product(
                enterprise_id=enterprise.pk,
                category_id=category.pk,
                name_th=name_th,
                name_en=name_en if rng.random() < 0.7 else "",
                hs_code=category.hs_code,
                description="ผลิตด้วยมือจากดินขาวลำปาง เผาที่อุณหภูมิสูง",
                unit_price=(
                    None if rng.random() < 0.05 else Decimal(rng.randrange(3500, 250000, 500)) / 100
                ),
                monthly_capacity=rng.randrange(50, 5000, 50),
                otop_stars=stars,
                otop_year=rng.choice([2019, 2022, 2024]) if stars else None,
                status=status,
                published_at=created_at if status != ProductStatus.DRAFT else None,
                clay_body=rng.choice(ClayBody.values),
                forming_method=rng.choice(FormingMethod.values),
                kiln_type=rng.choice(KilnType.values),
                glaze_temperature=rng.choice([1180, 1220, 1250, 1280]),
                created_at=created_at,
            )
            product.search_text = product.build_search_text()
            yield product

    def images(self, products):
        for product in products:
            if self.rng.random() < 0.6:
                for position in range(self.rng.randint(1, 3)):
                    yield ProductImage(
                        product_id=product.pk,
                        image="bench/photo.jpg",
                        thumbnail="bench/thumb.jpg",
                        width=1200,
                        height=1200,
                        position=position,
                    )

    def upgrades(self, products):
        rng = self.rng
        # Prices and sales draw from a generator of their own, so which products have
        # upgrades (and the list benchmark's counts) stay as they were before they came.
        money = random.Random(self.seed + 5)
        cents = Decimal("0.01")
        for product in products:
            if rng.random() >= 0.125:
                continue
            started = moment(rng, product.created_at, self.end + dt.timedelta(days=2)).date()
            sales = Decimal(money.randrange(2_000, 150_000, 500))
            steps = rng.randint(1, 4)
            for step in range(steps):
                area = rng.choice(UpgradeArea.values)
                price = product.unit_price or Decimal("100.00")
                started_on = started + dt.timedelta(days=30 * step)
                completed_on = started_on + dt.timedelta(days=money.randint(14, 60))
                # Earlier steps are done; the latest one may still be under way.
                done = completed_on <= self.end.date() and (
                    step < steps - 1 or money.random() < 0.6
                )
                uplift = Decimal(str(round(money.uniform(0.9, 1.8), 2)))
                yield UpgradeRecord(
                    product_id=product.pk,
                    area=area,
                    stage=UpgradeStage.values[min(step, 4)],
                    summary=SUMMARIES[area],
                    what_changed="ปรับปรุงตามคำแนะนำของผู้เชี่ยวชาญ ศูนย์วิจัยเกาะคา",
                    price_before=price,
                    price_after=(price * Decimal(str(round(money.uniform(1.0, 1.6), 2)))).quantize(
                        cents
                    ),
                    monthly_sales_before=sales,
                    monthly_sales_after=(sales * uplift).quantize(cents) if done else None,
                    expert_name="ผู้เชี่ยวชาญศูนย์วิจัยฯ เกาะคา",
                    started_on=started_on,
                    completed_on=completed_on if done else None,
                    recorded_at=timezone.now(),
                )


# --- The Ko Kha lab ----------------------------------------------------------------------

LAB_LOCATION = "Bench generator"  # marks the generated resources
LAB_PEOPLE = 2000
# (kind, Thai name, English name, cool-down minutes, booking lengths in minutes, count).
LAB_RESOURCES = (
    [
        (ResourceKind.ELECTRIC_KILN, f"เตาเผาไฟฟ้า {i}", f"Electric kiln {i}", 480, (240, 360, 480))
        for i in range(1, 4)
    ]
    + [(ResourceKind.GAS_KILN, "เตาเผาแก๊ส", "Gas kiln", 720, (360, 480))]
    + [
        (ResourceKind.GLAZE_LAB, f"โต๊ะเคลือบ {i}", f"Glaze bench {i}", 0, (60, 120, 180))
        for i in range(1, 5)
    ]
    + [
        (
            ResourceKind.SLIP_CASTING,
            f"สถานีหล่อน้ำดิน {i}",
            f"Slip-casting station {i}",
            15,
            (60, 90, 120),
        )
        for i in range(1, 5)
    ]
    + [
        (
            ResourceKind.CLAY_PRINTER,
            f"เครื่องพิมพ์ดินสามมิติ {i}",
            f"3D clay printer {i}",
            30,
            (60, 120, 240),
        )
        for i in range(1, 4)
    ]
    + [
        (ResourceKind.TESTING, f"เครื่องทดสอบ {i}", f"Tester {i}", 0, (30, 60, 90))
        for i in range(1, 4)
    ]
    + [
        (ResourceKind.ROOM, f"ห้องประชุมเล็ก {i}", f"Small meeting room {i}", 0, (30, 60, 120))
        for i in range(1, 3)
    ]
)
S = BookingStatus
# Past bookings: done, missed, or cancelled/rejected/expired (these never blocked, so the
# next booking may take the same time); future ones: approved, waiting, or cancelled.
PAST_STATES = {S.COMPLETED: 72, S.NO_SHOW: 4, S.CANCELLED: 14, S.REJECTED: 5, S.EXPIRED: 5}
FUTURE_STATES = {S.APPROVED: 70, S.REQUESTED: 15, S.CANCELLED: 15}
# The share of bookings that take their time (a year of each).
BLOCKING_SHARE = sum(
    w / 200
    for states in (PAST_STATES, FUTURE_STATES)
    for s, w in states.items()
    if s in BLOCKING_STATES
)


class LabGenerator:
    """Bookings over two years around `now`, one resource after another, none overlapping
    another blocking booking of its resource (cool-downs included)."""

    def __init__(self, *, seed, bookings, now):
        self.rng = random.Random(seed + 1)
        self.total = bookings
        self.now = now = now.replace(minute=0, second=0, microsecond=0)
        self.start = now - dt.timedelta(days=365)
        self.end = now + dt.timedelta(days=365)

    def resources(self):
        for kind, name_th, name_en, cooldown, lengths in LAB_RESOURCES:
            yield Resource(
                kind=kind,
                name_th=name_th,
                name_en=name_en,
                location=LAB_LOCATION,
                slot_minutes=30 if min(lengths) >= 30 else 15,
                min_minutes=min(lengths),
                max_minutes=max(lengths),
                cooldown_minutes=cooldown,
                latest_days=400,
                bookable_by=["student", "faculty", "entrepreneur"],
            )

    @staticmethod
    def period(spec):
        """Minutes a blocking booking takes on average: length, cool-down, and for a kiln
        half a working day more (loading and unloading)."""
        cooldown, lengths = spec[3], spec[4]
        return sum(lengths) / len(lengths) + cooldown + (240 if cooldown >= 240 else 0)

    def shares(self, resources):
        """Bookings per resource, in proportion to how many fit in the window (the
        non-blocking ones take no time), so every resource is about as full."""
        window = (self.end - self.start).total_seconds() / 60
        fits = [window / self.period(spec) / BLOCKING_SHARE for spec in LAB_RESOURCES]
        if self.total > sum(fits):
            raise SystemExit(f"lab: at most {int(sum(fits)):,} bookings fit in two years")
        shares = [int(self.total * f / sum(fits)) for f in fits]
        shares[-1] += self.total - sum(shares)
        return dict(zip((r.pk for r in resources), shares, strict=True))

    def bookings(self, resources, people):
        rng = self.rng
        shares = self.shares(resources)
        window = (self.end - self.start).total_seconds() / 60
        for resource, spec in zip(resources, LAB_RESOURCES, strict=True):
            lengths, cooldown, count = spec[4], resource.cooldown_minutes, shares[resource.pk]
            if not count:  # a small volume leaves the least used resources none
                continue
            # Non-blocking rows do not move the cursor, so only the blocking ones space it.
            occupied = sum(lengths) / len(lengths) + cooldown
            gap = max(0.0, window / (count * BLOCKING_SHARE) - occupied)
            cursor, slack = self.start, 0.0
            for _ in range(count):
                # Gaps in whole half-hours; what rounding leaves over is carried on.
                slack += rng.uniform(0, 2 * gap)
                steps = int(slack // 30)
                cursor += dt.timedelta(minutes=30 * steps)
                slack -= 30 * steps
                length = dt.timedelta(minutes=rng.choice(lengths))
                starts_at, ends_at = cursor, cursor + length
                future = starts_at >= self.now
                status = weighted(rng, FUTURE_STATES if future else PAST_STATES)
                blocked_until = ends_at + dt.timedelta(minutes=cooldown)
                if status in BLOCKING_STATES:
                    cursor = blocked_until
                yield Booking(
                    resource_id=resource.pk,
                    owner_id=rng.choice(people),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    blocked_until=blocked_until,
                    status=status,
                    purpose=rng.choice([Purpose.COURSE_PROJECT, Purpose.RESEARCH]),
                    created_at=min(starts_at, self.now) - dt.timedelta(days=rng.randint(1, 20)),
                    completed_at=ends_at if status == S.COMPLETED else None,
                    cancelled_at=starts_at - dt.timedelta(hours=3)
                    if status == S.CANCELLED
                    else None,
                )


def generate_lab(args):
    """The lab's resources, people and bookings; an earlier run's are kept."""
    generated = Resource.objects.filter(location=LAB_LOCATION)
    if generated.exists():
        print(
            f"  lab: an earlier run's {generated.count()} resources and "
            f"{Booking.objects.filter(resource__in=generated).count():,} bookings: kept"
        )
        return
    if Booking.objects.exclude(resource__location=COURSE_ROOMS_LOCATION).exists():
        print("  lab: refused: the database holds bookings the generator did not write")
        return
    generator = LabGenerator(seed=args.seed, bookings=args.lab_bookings, now=timezone.now())
    resources = insert(Resource, generator.resources(), "lab resources")
    insert(
        OpeningHours,
        (
            OpeningHours(resource_id=r.pk, weekday=day, opens=dt.time(0), closes=dt.time(23, 59))
            for r in resources
            for day in range(7)
        ),
        "opening hours",
    )
    people = insert(
        User,
        (
            User(
                email=f"bench.lab{i:04d}@bench.invalid",
                full_name=f"{FIRST_NAMES[i % 8]} {LAST_NAMES[i // 8 % 8]}",
                role=[Role.STUDENT, Role.FACULTY, Role.ENTREPRENEUR][i % 3],
                is_active=False,
            )
            for i in range(LAB_PEOPLE)
        ),
        "lab people",
    )
    insert(Booking, generator.bookings(resources, [p.pk for p in people]), "lab bookings")


# --- Programmes and enrolments -----------------------------------------------------------

FISCAL_YEARS = (2567, 2568, 2569, 2570)
PROGRAMMES_PER_YEAR = 6
# (Thai, English) themes; each fiscal year runs them all.
THEMES = [
    ("ยกระดับผลิตภัณฑ์เซรามิกชุมชนด้วยการออกแบบ", "Design upgrade for community ceramics"),
    ("มาตรฐานผลิตภัณฑ์ชุมชน มผช. เซรามิก", "Community product standards for ceramics"),
    ("เคลือบไร้สารตะกั่วเพื่อความปลอดภัยของผู้บริโภค", "Lead-free glazes for consumer safety"),
    ("นวัตกรรมวัสดุและการพิมพ์ดินสามมิติ", "Material innovation and 3D clay printing"),
    ("เพิ่มมูลค่าของฝากและตลาดออนไลน์", "Souvenir value and online markets"),
    ("ลดพลังงานเตาเผาในวิสาหกิจชุมชน", "Kiln energy saving for community enterprises"),
]
PARTNERS = [
    ("กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)", "Department of Industrial Promotion (DIPROM)", "government"),
    ("ศูนย์ลำปาง มหาวิทยาลัยธรรมศาสตร์", "Thammasat University Lampang Centre", "university"),
    ("มหาวิทยาลัยเชียงใหม่", "Chiang Mai University", "university"),
    ("มหาวิทยาลัยราชภัฏลำปาง", "Lampang Rajabhat University", "university"),
    ("สำนักงานพัฒนาชุมชนจังหวัด", "Provincial Community Development Office", "government"),
    ("สถาบันพัฒนาวิสาหกิจขนาดกลางและขนาดย่อม", "SME Development Institute", "government"),
    ("บริษัท ดินดีเซรามิกส์ จำกัด", "Dindee Ceramics Co., Ltd.", "company"),
    ("บริษัท เคลือบสยาม จำกัด", "Siam Glaze Co., Ltd.", "company"),
    (
        "องค์การความร่วมมือระหว่างประเทศของญี่ปุ่น",
        "Japan International Cooperation Agency",
        "international",
    ),
    ("สมาคมเซรามิกลำปาง", "Lampang Ceramics Association", "company"),
]
# Regions by the first digit of the province code (Thailand's statistical regions).
REGIONS = {
    "1": ("ภาคกลาง", "Central"),
    "2": ("ภาคตะวันออก", "East"),
    "3": ("ภาคตะวันออกเฉียงเหนือตอนล่าง", "Lower Northeast"),
    "4": ("ภาคตะวันออกเฉียงเหนือตอนบน", "Upper Northeast"),
    "5": ("ภาคเหนือตอนบน", "Upper North"),
    "6": ("ภาคเหนือตอนล่าง", "Lower North"),
    "7": ("ภาคตะวันตก", "West"),
    "8": ("ภาคใต้", "South"),
    "9": ("ภาคใต้ชายแดน", "Deep South"),
}
REJECT_NOTES = [
    "ผลิตภัณฑ์ยังไม่ตรงกับกลุ่มที่โครงการยกระดับในรุ่นนี้",
    "เอกสารไม่ครบถ้วนตามกำหนด",
    "ที่ในรุ่นนี้เต็มแล้ว โปรดสมัครรุ่นถัดไป",
]
E = EnrolmentStatus
# The share of each phase's applications in each state. Place holders (accepted, active,
# completed) are counted against the capacity first; waitlisted ones exist only in an
# intake whose places are all taken.
PHASE_HELD = {
    "finished": {E.COMPLETED: 100},
    "running": {E.ACTIVE: 80, E.ACCEPTED: 15, E.COMPLETED: 5},
    "open": {E.ACCEPTED: 100},
}
PHASE_OTHERS = {
    "finished": {E.REJECTED: 60, E.WITHDRAWN: 15, E.WAITLISTED: 25},
    "running": {E.REJECTED: 55, E.WITHDRAWN: 15, E.WAITLISTED: 30},
    "open": {E.SUBMITTED: 45, E.UNDER_REVIEW: 35, E.REJECTED: 8, E.WITHDRAWN: 5, E.WAITLISTED: 7},
}
# The events that bring an application to each state, after draft and submission.
PATHS = {
    E.SUBMITTED: [],
    E.UNDER_REVIEW: [E.UNDER_REVIEW],
    E.ACCEPTED: [E.UNDER_REVIEW, E.ACCEPTED],
    E.WAITLISTED: [E.UNDER_REVIEW, E.WAITLISTED],
    E.REJECTED: [E.UNDER_REVIEW, E.REJECTED],
    E.ACTIVE: [E.UNDER_REVIEW, E.ACCEPTED, E.ACTIVE],
    E.COMPLETED: [E.UNDER_REVIEW, E.ACCEPTED, E.ACTIVE, E.COMPLETED],
}


def fiscal_year_start(year_be):
    return dt.datetime(year_be - 544, 10, 1, tzinfo=BANGKOK)


class EnrolmentGenerator:
    """Programmes of fiscal years 2567-2570 with partners and KPI targets, their intakes, and
    the enterprises' applications in the states their intake's dates make likely."""

    def __init__(self, *, seed, total, now):
        self.rng = random.Random(seed + 2)
        self.total = total
        self.now = now
        self.current_year = fiscal_year(now)

    def programmes(self, creator):
        rng = self.rng
        for year in FISCAL_YEARS:
            for theme_th, theme_en in THEMES[:PROGRAMMES_PER_YEAR]:
                if year < self.current_year - 1:
                    status = rng.choice([ProgrammeStatus.CLOSED, ProgrammeStatus.ARCHIVED])
                elif year < self.current_year:
                    status = ProgrammeStatus.CLOSED
                else:
                    status = ProgrammeStatus.ACTIVE
                target = rng.randrange(400, 3000, 50)
                yield Programme(
                    title_th=f"{theme_th} ปีงบประมาณ {year}",
                    title_en=f"{theme_en}, FY {year - 543}",
                    description_th="โครงการของกรมส่งเสริมอุตสาหกรรมร่วมกับศูนย์วิจัยฯ เกาะคา",
                    fiscal_year=year,
                    policy=rng.choice(["DIPROM CARE", "BCG Model", "Soft Power"]),
                    status=status,
                    target_enterprises=target,
                    target_design=target // rng.randint(2, 4),
                    target_standards=target // rng.randint(3, 6),
                    target_usability=target // rng.randint(3, 6),
                    target_innovation=target // rng.randint(4, 8),
                    target_revenue_uplift=Decimal(rng.randrange(500, 2500, 50)) / 100,
                    created_by=creator,
                    created_at=fiscal_year_start(year) - dt.timedelta(days=rng.randint(20, 60)),
                )

    def partnerships(self, programmes, partners):
        rng = self.rng
        lead = partners[0]
        for programme in programmes:
            yield ProgrammePartner(
                programme_id=programme.pk, partner_id=lead.pk, role=PartnerRole.LEAD
            )
            roles = [PartnerRole.CO_IMPLEMENTER, PartnerRole.FACILITY_HOST, PartnerRole.FUNDER]
            for partner in rng.sample(partners[1:], rng.randint(1, 3)):
                yield ProgrammePartner(
                    programme_id=programme.pk,
                    partner_id=partner.pk,
                    role=rng.choice(roles),
                    agreement_reference=f"MOU {rng.randint(1, 40)}/{programme.fiscal_year}",
                )

    def intakes(self, programmes):
        """Two or three intakes a programme, a third of its year apart; each gets a `rule`:
        national, one region, some kinds of enterprise, or one product group."""
        rng = self.rng
        for programme in programmes:
            start = fiscal_year_start(programme.fiscal_year)
            for number in range(1, rng.choice([2, 3, 3]) + 1):
                opens = start + dt.timedelta(days=120 * (number - 1) + rng.randint(0, 20))
                rule = weighted(rng, {"national": 50, "region": 20, "kinds": 15, "group": 15})
                intake = Intake(
                    programme_id=programme.pk,
                    name_th=f"รุ่นที่ {number}/{programme.fiscal_year}",
                    name_en=f"Intake {number}/{programme.fiscal_year - 543}",
                    opens_at=opens,
                    closes_at=opens + dt.timedelta(days=rng.randint(45, 75)),
                    # Set again from the applications' count for an intake that has any.
                    capacity=rng.randrange(100, 1500, 50),
                    verified_only=rule != "group",
                    created_at=opens - dt.timedelta(days=7),
                )
                intake.rule = rule
                intake.region = rng.choice(sorted(REGIONS))
                intake.group = rng.choice(["tableware", "decor", "other"])
                if rule == "kinds":
                    intake.eligible_kinds = [
                        EnterpriseKind.COMMUNITY_ENTERPRISE,
                        EnterpriseKind.NETWORK,
                        EnterpriseKind.OTOP_GROUP,
                    ]
                yield intake

    def phase(self, intake, programme):
        if intake.opens_at > self.now:
            return "future"
        if intake.closes_at > self.now:
            return "open" if programme.status == ProgrammeStatus.ACTIVE else "future"
        return "finished" if programme.fiscal_year < self.current_year else "running"

    def allocate(self, pools):
        """Applications per intake: about even (0.5 to 1.5 of the mean), never more than the
        intake's eligible enterprises; what a small pool cannot take goes to the others."""
        rng = self.rng
        weights = {pk: rng.uniform(0.5, 1.5) for pk in pools}
        counts = dict.fromkeys(pools, 0)
        left = self.total
        while left > 0:
            room = {pk: len(pools[pk]) - counts[pk] for pk in pools if len(pools[pk]) > counts[pk]}
            if not room:
                print(f"  enrolments: only {self.total - left:,} fit the eligible enterprises")
                break
            share = sum(weights[pk] for pk in room)
            given = 0
            for pk in room:
                take = min(room[pk], max(1, round(left * weights[pk] / share)), left - given)
                counts[pk] += take
                given += take
                if given == left:
                    break
            left -= given
        return counts

    def times(self, start, limit, steps):
        """`steps` moments after `start`, in order, each before `limit`."""
        moments, at = [], start
        for _ in range(steps):
            at = at + (limit - at) * self.rng.uniform(0.05, 0.4)
            moments.append(at)
        return moments

    def enrolments(self, intakes, programmes, pools, creator):
        """Each intake's applications; an enrolment carries `planned_events` (from, to, at,
        note) and `planned_products` for the rows written after it."""
        rng = self.rng
        by_pk = {p.pk: p for p in programmes}
        counts = self.allocate(pools)
        for intake in intakes:
            count = counts.get(intake.pk, 0)
            if not count:
                continue
            phase = intake.phase
            chosen = rng.sample(pools[intake.pk], count)
            capacity = max(1, round(count * rng.uniform(0.3, 0.6)))
            intake.capacity = capacity
            if phase == "open":
                held = round(capacity * rng.choice([rng.uniform(0.2, 0.9), 1.0]))
            else:
                held = min(capacity, round(count * 0.7))
            full = held == capacity
            others = dict(PHASE_OTHERS[phase])
            if not full:
                others.pop(E.WAITLISTED)
            year_end = fiscal_year_start(by_pk[intake.programme_id].fiscal_year + 1)
            for i, (enterprise_id, product_ids) in enumerate(chosen):
                status = weighted(rng, PHASE_HELD[phase] if i < held else others)
                last = min(intake.closes_at, self.now - dt.timedelta(hours=1))
                last = max(last, intake.opens_at + dt.timedelta(minutes=1))
                submitted = moment(rng, intake.opens_at, last)
                created = max(intake.opens_at, submitted - dt.timedelta(hours=rng.randint(1, 96)))
                events = [("", E.DRAFT, created, ""), (E.DRAFT, E.SUBMITTED, submitted, "")]
                if status == E.WITHDRAWN:
                    before = [[], [E.UNDER_REVIEW]] + (
                        [[E.UNDER_REVIEW, E.WAITLISTED]] if full else []
                    )
                    path = [*rng.choice(before), E.WITHDRAWN]
                else:
                    path = PATHS[status]
                # Decisions come within the intake's window and its months after, never later
                # than now; completion before the fiscal year ends.
                limit = min(self.now, max(intake.closes_at, submitted) + dt.timedelta(days=90))
                limit = min(limit, year_end) if status == E.COMPLETED else limit
                previous = E.SUBMITTED
                decided = None
                for state, at in zip(path, self.times(submitted, limit, len(path)), strict=True):
                    note = rng.choice(REJECT_NOTES) if state == E.REJECTED else ""
                    events.append((previous, state, at, note))
                    if state != E.WITHDRAWN:
                        decided = at
                    previous = state
                enrolment = Enrolment(
                    intake_id=intake.pk,
                    enterprise_id=enterprise_id,
                    status=events[-1][1],
                    submitted_at=submitted,
                    decided_at=decided,
                    created_by=creator,
                    created_at=created,
                )
                enrolment.planned_events = events
                enrolment.planned_products = rng.sample(
                    product_ids, min(len(product_ids), rng.randint(1, 3))
                )
                yield enrolment


def generate_enrolments(args, creator):
    """Programmes, intakes and applications; kept when an earlier run wrote them."""
    generated = Programme.objects.filter(created_by=creator)
    if Programme.objects.exclude(created_by=creator).exists():
        print("  enrolments: refused: the database holds programmes the generator did not write")
        return
    if generated.exists():
        print(
            f"  enrolments: an earlier run's {generated.count()} programmes and "
            f"{Enrolment.objects.count():,} applications: kept"
        )
        return
    enterprises = Enterprise.objects.filter(created_by=creator)
    if not enterprises.exists():
        print("  enrolments: skipped: generate the registry first")
        return
    generator = EnrolmentGenerator(seed=args.seed, total=args.enrolments, now=timezone.now())
    partners = insert(
        Partner,
        (Partner(name_th=th, name_en=en, kind=kind) for th, en, kind in PARTNERS),
        "partners",
    )
    programmes = insert(Programme, generator.programmes(creator), "programmes")
    insert(ProgrammePartner, generator.partnerships(programmes, partners), "programme partners")
    intakes = insert(Intake, generator.intakes(programmes), "intakes")
    groups = dict(Category.objects.filter(parent=None).values_list("code", "pk"))
    provinces = list(Province.objects.values_list("code", flat=True))
    Intake.eligible_provinces.through.objects.bulk_create(
        Intake.eligible_provinces.through(intake_id=intake.pk, province_id=code)
        for intake in intakes
        if intake.rule == "region"
        for code in provinces
        if code.startswith(intake.region)
    )
    Intake.eligible_categories.through.objects.bulk_create(
        Intake.eligible_categories.through(intake_id=intake.pk, category_id=groups[intake.group])
        for intake in intakes
        if intake.rule == "group"
    )

    # Who may apply to each intake: the enterprises its rules admit, each with its products
    # that qualify (an application needs at least one).
    registry = list(enterprises.values_list("pk", "kind", "province_id", "status").order_by("pk"))
    products = {}
    for enterprise_id, pk, group in Product.objects.filter(
        enterprise__created_by=creator
    ).values_list("enterprise_id", "pk", "category__parent__code"):
        products.setdefault(enterprise_id, []).append((pk, group))
    programme_by_pk = {p.pk: p for p in programmes}
    pools = {}
    for intake in intakes:
        intake.phase = generator.phase(intake, programme_by_pk[intake.programme_id])
        if intake.phase == "future":
            continue
        pool = []
        for pk, kind, province, status in registry:
            if intake.verified_only and status != VerificationStatus.VERIFIED:
                continue
            if intake.rule == "region" and not province.startswith(intake.region):
                continue
            if intake.eligible_kinds and kind not in intake.eligible_kinds:
                continue
            own = [
                p
                for p, group in products.get(pk, ())
                if intake.rule != "group" or group == intake.group
            ]
            if own:
                pool.append((pk, own))
        pools[intake.pk] = pool
    enrolments = insert(
        Enrolment, generator.enrolments(intakes, programmes, pools, creator), "enrolments"
    )
    for intake in intakes:
        Intake.objects.filter(pk=intake.pk).update(capacity=intake.capacity)
    insert(
        Enrolment.products.through,
        (
            Enrolment.products.through(enrolment_id=e.pk, product_id=product_id)
            for e in enrolments
            for product_id in e.planned_products
        ),
        "enrolment products",
        keep=False,
    )
    insert(
        EnrolmentEvent,
        (
            EnrolmentEvent(
                enrolment_id=e.pk, from_status=old, to_status=new, note=note, by=creator, at=at
            )
            for e in enrolments
            for old, new, at, note in e.planned_events
        ),
        "enrolment events",
        keep=False,
    )


# --- Courses --------------------------------------------------------------------------

COURSE_ROOMS_LOCATION = "Bench generator: courses"  # the training rooms' marker
COURSE_ROOMS = 4
# (clearance code, Thai, English) the generator's clearance kinds.
CLEARANCE_KINDS = [
    ("bench-electric-kiln", "การใช้เตาเผาไฟฟ้า", "Electric kiln operation"),
    ("bench-gas-kiln", "การใช้เตาเผาแก๊ส", "Gas kiln operation"),
    ("bench-glaze-lab", "การใช้ห้องปฏิบัติการเคลือบ", "Glaze laboratory"),
    ("bench-slip-casting", "การหล่อน้ำดิน", "Slip casting"),
    ("bench-clay-printer", "การใช้เครื่องพิมพ์ดินสามมิติ", "3D clay printing"),
]
# (Thai, English, clearance code or None, hours, audience) course topics, each in levels.
TOPICS = [
    ("การใช้เตาเผาไฟฟ้าอย่างปลอดภัย", "Safe electric kiln firing", "bench-electric-kiln", 12),
    ("การเผาเตาแก๊สแบบรีดักชัน", "Reduction firing in a gas kiln", "bench-gas-kiln", 18),
    ("สูตรเคลือบไร้สารตะกั่ว", "Lead-free glaze recipes", "bench-glaze-lab", 15),
    ("การหล่อน้ำดินและทำแม่พิมพ์", "Slip casting and mould making", "bench-slip-casting", 15),
    ("การพิมพ์ดินสามมิติ", "3D clay printing", "bench-clay-printer", 12),
    ("การออกแบบผลิตภัณฑ์เซรามิกร่วมสมัย", "Contemporary ceramic product design", None, 24),
    ("มาตรฐาน มผช. สำหรับเครื่องปั้นดินเผา", "Community product standards for pottery", None, 6),
    ("การถ่ายภาพและขายสินค้าออนไลน์", "Product photography and online sales", None, 9),
    ("การคำนวณต้นทุนและตั้งราคา", "Costing and pricing", None, 6),
    ("การเขียนลายไก่บนชาม", "Painting the rooster bowl", None, 12),
]
LEVELS = [
    ("ขั้นพื้นฐาน", "foundation", [Audience.STUDENTS, Audience.ENTREPRENEURS]),
    ("ขั้นกลาง", "intermediate", [Audience.STUDENTS, Audience.FACULTY, Audience.ENTREPRENEURS]),
    ("ขั้นสูง", "advanced", [Audience.FACULTY, Audience.STUDENTS]),
    ("สำหรับผู้ประกอบการ", "for entrepreneurs", [Audience.ENTREPRENEURS]),
]
SESSION_PLACES = ["ห้องประชุมสำนักงานอุตสาหกรรมจังหวัด", "โรงงานวิสาหกิจชุมชนบ้านเกาะคา"]
ATTENDANCE_MARKS = {
    AttendanceMark.PRESENT: 88,
    AttendanceMark.LATE: 6,
    AttendanceMark.ABSENT: 4,
    AttendanceMark.EXCUSED: 2,
}
C = CourseEnrolmentStatus


def certificate_code(rng):
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class TrainingGenerator:
    """Courses, runs over two years around `now` with their sessions (in the centre's
    training rooms, booked in the lab calendar, or elsewhere), enrolments, attendance,
    and for the closed runs the certificates and clearances that close_run gives."""

    def __init__(self, *, seed, enrolments, now):
        self.rng = random.Random(seed + 3)
        self.total = enrolments
        self.runs_total = max(4, round(enrolments * 600 / 20_000))
        self.courses_total = min(len(TOPICS) * len(LEVELS), max(3, self.runs_total // 15))
        self.now = now
        # Two years of runs: a year and a half past, half a year announced ahead.
        self.start = now - dt.timedelta(days=545)
        self.end = now + dt.timedelta(days=185)
        self.people_total = max(20, enrolments * 2 // 5)
        self.taken = set()  # (room pk, day, half) already booked

    def people(self):
        for i in range(self.people_total):
            role = weighted(self.rng, {Role.STUDENT: 60, Role.FACULTY: 10, Role.ENTREPRENEUR: 30})
            yield User(
                email=f"bench.trainee{i:05d}@bench.invalid",
                full_name=f"{FIRST_NAMES[i % 8]} {LAST_NAMES[i // 8 % 8]}",
                role=role,
                is_active=False,
            )

    def instructors(self):
        for i in range(max(2, self.courses_total // 3)):
            yield User(
                email=f"bench.instructor{i:02d}@bench.invalid",
                full_name=f"อาจารย์{FIRST_NAMES[i % 8]} {LAST_NAMES[(i + 3) % 8]}",
                role=Role.FACULTY,
                is_active=False,
            )

    def courses(self, creator):
        for i in range(self.courses_total):
            title_th, title_en, clearance, hours = TOPICS[i % len(TOPICS)]
            level_th, level_en, audience = LEVELS[i // len(TOPICS) % len(LEVELS)]
            course = Course(
                title_th=f"{title_th} {level_th}",
                title_en=f"{title_en}, {level_en}",
                description_th="หลักสูตรของศูนย์วิจัยฯ เกาะคา สอนโดยผู้เชี่ยวชาญของดีพร้อม",
                audience=[a.value for a in audience],
                hours=Decimal(hours),
                attendance_required=self.rng.choice([70, 80, 80, 90]),
                created_by=creator,
                created_at=self.start - dt.timedelta(days=60),
            )
            course.clearance = clearance
            yield course

    def runs(self, courses, instructors):
        rng = self.rng
        numbers = {}
        for i in range(self.runs_total):
            course = courses[i % len(courses)]
            opens = moment(rng, self.start, self.end)
            opens = opens.astimezone(BANGKOK).replace(hour=8, minute=0, second=0, microsecond=0)
            closes = opens + dt.timedelta(days=rng.randint(14, 30))
            year = fiscal_year(opens)
            numbers[course.pk, year] = numbers.get((course.pk, year), 0) + 1
            run = CourseRun(
                course_id=course.pk,
                name=f"รุ่นที่ {numbers[course.pk, year]}/{year}",
                capacity=rng.randrange(30, 61, 5),
                enrol_opens_at=opens,
                enrol_closes_at=closes,
                status=RunStatus.OPEN,
                created_at=opens - dt.timedelta(days=rng.randint(7, 30)),
            )
            run.course = course
            run.teachers = rng.sample(instructors, rng.randint(1, 2))
            run.session_days = []
            day = closes.date() + dt.timedelta(days=rng.randint(3, 10))
            for _ in range(rng.randint(3, 6)):
                while day.weekday() >= 5:
                    day += dt.timedelta(days=1)
                run.session_days.append(day)
                day += dt.timedelta(days=rng.choice([1, 1, 2, 7]))
            last_end = dt.datetime.combine(run.session_days[-1], dt.time(16), BANGKOK)
            if last_end < self.now - dt.timedelta(days=3):
                if rng.random() < 0.04:
                    run.status = RunStatus.CANCELLED
                else:
                    run.status = RunStatus.CLOSED
                    run.closed_at = last_end + dt.timedelta(days=rng.randint(1, 3), hours=1)
                    run.closed_by_id = run.teachers[0].pk
            elif opens > self.now and rng.random() < 0.3:
                run.status = RunStatus.PLANNED
            yield run

    def sessions(self, runs, rooms):
        """Each run's sessions, three hours a morning or an afternoon; most in a training room
        (`session.booking` is set to an unsaved Booking), the rest elsewhere."""
        rng = self.rng
        for run in runs:
            half = rng.choice([0, 1])
            instructor = run.teachers[0].pk
            for number, day in enumerate(run.session_days, 1):
                start = dt.datetime.combine(day, dt.time(9 + 4 * half), BANGKOK)
                session = CourseSession(
                    run_id=run.pk,
                    title=f"{run.course.title_th} ครั้งที่ {number}",
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=3),
                )
                free = [r for r in rooms if (r.pk, day, half) not in self.taken]
                if free and rng.random() < 0.85 and run.status != RunStatus.CANCELLED:
                    room = rng.choice(free)
                    self.taken.add((room.pk, day, half))
                    session.room_id = room.pk
                    done = session.ends_at < self.now
                    session.booking = Booking(
                        resource_id=room.pk,
                        owner_id=instructor,
                        starts_at=session.starts_at,
                        ends_at=session.ends_at,
                        blocked_until=session.ends_at,
                        status=BookingStatus.COMPLETED if done else BookingStatus.APPROVED,
                        purpose=Purpose.COURSE_PROJECT,
                        description=session.title[:500],
                        decided_by_id=instructor,
                        decided_at=run.created_at,
                        created_at=run.created_at,
                        completed_at=session.ends_at if done else None,
                    )
                else:
                    session.place = rng.choice(SESSION_PLACES)
                yield session

    def allocate(self, runs):
        """Enrolments per run: none before enrolment opens, fewer while it is open; about the
        run's capacity, sometimes more (a waitlist)."""
        rng = self.rng
        weights = {}
        for run in runs:
            if run.status == RunStatus.PLANNED or run.enrol_opens_at > self.now:
                continue
            filled = 1.0 if run.enrol_closes_at <= self.now else rng.uniform(0.2, 0.9)
            weights[run.pk] = run.capacity * filled * rng.uniform(0.7, 1.2)
        total = sum(weights.values()) or 1
        return {pk: max(1, round(self.total * w / total)) for pk, w in weights.items()}

    def enrolments(self, runs, people_by_role):
        """Each run's enrolments; closed runs get their attendance-based outcome later."""
        rng = self.rng
        counts = self.allocate(runs)
        for run in runs:
            count = counts.get(run.pk, 0)
            pool = [p for role in run.course.audience for p in people_by_role.get(role, ())]
            count = min(count, len(pool))
            if not count:
                continue
            window_end = min(run.enrol_closes_at, self.now)
            arrivals = sorted(moment(rng, run.enrol_opens_at, window_end) for _ in range(count))
            for i, (person, at) in enumerate(zip(rng.sample(pool, count), arrivals, strict=True)):
                status, cancelled_at = (C.ENROLLED if i < run.capacity else C.WAITLISTED), None
                if run.status == RunStatus.CANCELLED:
                    status, cancelled_at = C.CANCELLED, run.enrol_closes_at
                elif status == C.WAITLISTED and run.status == RunStatus.CLOSED:
                    status, cancelled_at = C.CANCELLED, run.closed_at
                enrolment = CourseEnrolment(
                    run_id=run.pk,
                    person_id=person.pk,
                    status=status,
                    enrolled_at=at,
                    cancelled_at=cancelled_at,
                )
                enrolment.run = run
                enrolment.person = person
                yield enrolment

    def attendance(self, enrolments, sessions_by_run):
        """Marks for every session held so far, for everyone holding a place; a closed run's
        enrolment becomes completed or not completed by its share, as close_run decides."""
        rng = self.rng
        for enrolment in enrolments:
            if enrolment.status != C.ENROLLED:
                continue
            run = enrolment.run
            diligence = rng.choice([1.0, 1.0, 1.0, 1.0, 0.9, 0.6])
            attended = 0
            held = [s for s in sessions_by_run[run.pk] if s.starts_at < self.now]
            for session in held:
                mark = weighted(rng, ATTENDANCE_MARKS)
                if mark in ATTENDED and rng.random() > diligence:
                    mark = AttendanceMark.ABSENT
                attended += mark in ATTENDED
                yield Attendance(
                    session_id=session.pk,
                    enrolment_id=enrolment.pk,
                    mark=mark,
                    marked_by_id=run.teachers[0].pk,
                    marked_at=session.ends_at,
                )
            if run.status == RunStatus.CLOSED:
                sessions = len(sessions_by_run[run.pk])
                share = Decimal(attended) * 100 / sessions if sessions else Decimal(0)
                enrolment.outcome = (
                    C.COMPLETED if share >= run.course.attendance_required else C.NOT_COMPLETED
                )

    def certificates(self, enrolments, instructor_names, serials, used_codes):
        """One certificate per completed enrolment, numbered per fiscal year of issue."""
        done = [e for e in enrolments if getattr(e, "outcome", None) == C.COMPLETED]
        for enrolment in sorted(done, key=lambda e: (e.run.closed_at, e.enrolled_at, e.pk)):
            run, course = enrolment.run, enrolment.run.course
            year = fiscal_year(run.closed_at)
            serials[year] = serials.get(year, 0) + 1
            code = certificate_code(self.rng)
            while code in used_codes:
                code = certificate_code(self.rng)
            used_codes.add(code)
            certificate = Certificate(
                enrolment_id=enrolment.pk,
                holder_id=enrolment.person_id,
                fiscal_year=year,
                serial=serials[year],
                code=code,
                issued_at=run.closed_at,
                holder_name=enrolment.person.full_name,
                course_title_th=course.title_th,
                course_title_en=course.title_en,
                hours=course.hours,
                instructor_names=instructor_names[run.pk],
            )
            certificate.course = course
            yield certificate


def clearances_granted(certificates, grants):
    """The standing clearances the certificates give, as grant_for_certificate leaves them:
    one per person and kind, valid until the latest date, pointing at the latest one."""
    standing = {}
    for certificate in sorted(certificates, key=lambda c: (c.issued_at, c.pk)):
        for kind_id, valid_days in grants.get(certificate.course.pk, ()):
            until = timezone.localdate(certificate.issued_at) + dt.timedelta(days=valid_days)
            key = certificate.holder_id, kind_id
            clearance = standing.get(key)
            if clearance is None:
                standing[key] = Clearance(
                    holder_id=certificate.holder_id,
                    kind_id=kind_id,
                    valid_until=until,
                    granted_at=certificate.issued_at,
                    certificate_id=certificate.pk,
                )
            else:
                clearance.valid_until = max(clearance.valid_until, until)
                clearance.granted_at, clearance.certificate_id = (
                    certificate.issued_at,
                    certificate.pk,
                )
    return standing.values()


def generate_training(args, creator):
    """Courses, runs, sessions, enrolments, attendance, certificates and clearances."""
    generated = Course.objects.filter(created_by=creator)
    if Course.objects.exclude(created_by=creator).exists():
        print("  training: refused: the database holds courses the generator did not write")
        return
    if generated.exists():
        print(
            f"  training: an earlier run's {generated.count()} courses and "
            f"{CourseEnrolment.objects.count():,} course enrolments: kept"
        )
        return
    if Clearance.objects.exists() or Certificate.objects.exists():
        print("  training: refused: the database holds clearances the generator did not write")
        return
    rng = random.Random(args.seed + 4)
    generator = TrainingGenerator(
        seed=args.seed, enrolments=args.course_enrolments, now=timezone.now()
    )
    kinds = {}
    for code, name_th, name_en in CLEARANCE_KINDS:
        kinds[code], _created = ClearanceKind.objects.get_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en}
        )
    rooms = insert(
        Resource,
        (
            Resource(
                kind=ResourceKind.ROOM,
                name_th=f"ห้องอบรม {i}",
                name_en=f"Training room {i}",
                location=COURSE_ROOMS_LOCATION,
                min_minutes=60,
                max_minutes=480,
                latest_days=400,
                bookable_by=[],
            )
            for i in range(1, COURSE_ROOMS + 1)
        ),
        "training rooms",
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(resource_id=r.pk, weekday=day, opens=dt.time(0), closes=dt.time(23, 59))
        for r in rooms
        for day in range(7)
    )
    instructors = insert(User, generator.instructors(), "instructors")
    people = insert(User, generator.people(), "trainees")
    courses = insert(Course, generator.courses(creator), "courses")
    # {course pk: [(clearance kind pk, valid days)]}
    grants = {
        c.pk: [(kinds[c.clearance].pk, rng.choice([365, 730]))] for c in courses if c.clearance
    }
    CourseClearance.objects.bulk_create(
        CourseClearance(course_id=pk, kind_id=kind_id, valid_days=days)
        for pk, granted in grants.items()
        for kind_id, days in granted
    )
    Course.instructors.through.objects.bulk_create(
        Course.instructors.through(course_id=c.pk, user_id=u.pk)
        for c in courses
        for u in rng.sample(instructors, 2)
    )
    runs = insert(CourseRun, generator.runs(courses, instructors), "course runs")
    CourseRun.instructors.through.objects.bulk_create(
        CourseRun.instructors.through(courserun_id=run.pk, user_id=u.pk)
        for run in runs
        for u in run.teachers
    )
    instructor_names = {run.pk: ", ".join(u.full_name for u in run.teachers) for run in runs}
    sessions = list(generator.sessions(runs, rooms))
    booked = [s for s in sessions if s.booking is not None]
    insert(Booking, (s.booking for s in booked), "session room bookings", keep=False)
    for session in booked:
        session.booking_id = session.booking.pk
    sessions = insert(CourseSession, sessions, "course sessions")
    sessions_by_run = {}
    for session in sessions:
        sessions_by_run.setdefault(session.run_id, []).append(session)
    people_by_role = {}
    for person in people:
        people_by_role.setdefault(person.role, []).append(person)
    enrolments = insert(
        CourseEnrolment, generator.enrolments(runs, people_by_role), "course enrolments"
    )
    insert(Attendance, generator.attendance(enrolments, sessions_by_run), "attendance", keep=False)
    ended = [e for e in enrolments if getattr(e, "outcome", None)]
    for enrolment in ended:
        enrolment.status = enrolment.outcome
    CourseEnrolment.objects.bulk_update(ended, ["status"], batch_size=BATCH)
    serials = dict(
        Certificate.objects.values_list("fiscal_year").annotate(m=Max("serial")).order_by()
    )
    used = set(Certificate.objects.values_list("code", flat=True))
    certificates = insert(
        Certificate,
        generator.certificates(enrolments, instructor_names, serials, used),
        "certificates",
    )
    insert(Clearance, clearances_granted(certificates, grants), "clearances", keep=False)


def insert(model, rows, label, *, keep=True):
    """bulk_create `rows` in batches, each in its own transaction; returns the saved rows
    (with keep=False only their number: the rows are not held in memory)."""
    saved, batch, started = [], [], time.monotonic()
    count = 0

    def flush():
        nonlocal count
        with transaction.atomic():
            model.objects.bulk_create(batch, batch_size=BATCH)
        count += len(batch)
        if keep:
            saved.extend(batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    print(f"  {label}: {count:,} in {time.monotonic() - started:.0f} s", flush=True)
    return saved if keep else count


def write_photos():
    """Two small JPEGs that every generated photo row points at, so pages show an image."""
    from PIL import Image

    for name, side in (("bench/photo.jpg", 1200), ("bench/thumb.jpg", 480)):
        if not default_storage.exists(name):
            buffer = io.BytesIO()
            Image.new("RGB", (side, side), (164, 71, 31)).save(buffer, "JPEG", quality=70)
            default_storage.save(name, buffer)


PARTS = ("registry", "enrolments", "training", "lab")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=190_000)
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--enrolments",
        type=int,
        default=100_000,
        help="applications to the generated programmes' intakes (0: none)",
    )
    parser.add_argument(
        "--training",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="courses, runs, sessions, course enrolments, attendance, certificates",
    )
    parser.add_argument(
        "--course-enrolments",
        type=int,
        default=20_000,
        help="course enrolments (runs, courses and people in proportion)",
    )
    parser.add_argument(
        "--lab-bookings",
        type=int,
        default=0,
        help="also write the lab: 20 resources and this many bookings over two years",
    )
    parser.add_argument(
        "--lab-only", action="store_true", help="write the lab only (the same as --only lab)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=PARTS,
        help="write these parts only, e.g. --only enrolments on a database with the registry",
    )
    parser.add_argument(
        "--yes", action="store_true", help="yes, write benchmark data into this database"
    )
    args = parser.parse_args(argv)
    if args.lab_only:
        args.only = ["lab"]
    if args.only:
        parts = set(args.only)
    else:
        parts = {"registry"}
        parts |= {"enrolments"} if args.enrolments else set()
        parts |= {"training"} if args.training else set()
        parts |= {"lab"} if args.lab_bookings else set()
    if "lab" in parts and not args.lab_bookings:
        parser.error("the lab needs --lab-bookings N")
    if "enrolments" in parts and args.enrolments <= 0:
        parser.error("--enrolments needs a positive number")

    database = connection.settings_dict["NAME"]
    if not args.yes:
        parser.error(f"this writes {args.enterprises:,} enterprises into {database}: add --yes")
    if connection.vendor != "postgresql":
        print("warning: the benchmarks are meant for PostgreSQL (see bench/README.md)")

    generated = Enterprise.objects.filter(created_by__email=GENERATOR_EMAIL)
    if Enterprise.objects.exclude(pk__in=generated.values("pk")).exists():
        print(f"refused: {database} has enterprises the generator did not write", file=sys.stderr)
        return 2
    started = time.monotonic()
    print(f"Generating into {database} ({connection.vendor}), seed {args.seed}")
    creator, _ = User.objects.get_or_create(
        email=GENERATOR_EMAIL,
        defaults={"full_name": "Bench data generator", "role": Role.OFFICER, "is_active": False},
    )
    if "registry" not in parts:
        pass
    elif generated.exists():
        print(
            f"{database} already holds an earlier run's {generated.count():,} enterprises and "
            f"{Product.objects.count():,} products: kept (use an empty database to regenerate)"
        )
    else:
        generate_registry(args, creator)
    if "enrolments" in parts:
        generate_enrolments(args, creator)
    if "training" in parts:
        generate_training(args, creator)
    if "lab" in parts:
        generate_lab(args)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner knows the tables are national, not empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Done in {time.monotonic() - started:.0f} s")
    return 0


def generate_registry(args, creator):
    generator = Generator(seed=args.seed, enterprises=args.enterprises, products=args.products)
    subdistricts = list(Subdistrict.objects.select_related("district").order_by("code"))
    categories = {category.code: category for category in Category.objects.all()}
    enterprises = insert(Enterprise, generator.enterprises(subdistricts, creator), "enterprises")
    products = insert(Product, generator.products(enterprises, categories), "products")
    write_photos()
    insert(ProductImage, generator.images(products), "photos")
    insert(UpgradeRecord, generator.upgrades(products), "upgrade records")


if __name__ == "__main__":
    sys.exit(main())
