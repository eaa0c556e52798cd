"""Fill an empty database with a national-scale registry for the benchmarks.

    .venv/bin/python bench/generate.py --yes [--enterprises 50000] [--products 190000]

Writes into the database DATABASE_URL names (use PostgreSQL: bench/README.md): enterprises
spread over all 7,436 subdistricts with Thai names built from syllables, their products
in every category and status, photos (two small generated files shared by all rows) and
upgrade records for about one product in eight. Rows go in with bulk_create in batches,
so save() does not run: search_text is built here with the models' own method.

With --lab-bookings N it also writes the Ko Kha lab at volume (bench/README.md, "Ko Kha
lab"): 20 resources (four kilns with their cool-downs) and N bookings spread over two
years around today, never overlapping on a resource in the states that block it, owned by
2,000 generated people. --lab-only writes the lab and nothing of the registry.

It refuses a database whose enterprises table holds anything but an earlier run's rows
(all of them registered by the bench's own account): never point it at real data. When
an earlier run's data is there it leaves it as it is, so scripts/bench can be re-run.
"""

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from entrepreneurs.models import (  # noqa: E402
    Enterprise,
    EnterpriseKind,
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
from training.models import (  # noqa: E402
    BLOCKING_STATES,
    Booking,
    BookingStatus,
    OpeningHours,
    Purpose,
    Resource,
    ResourceKind,
)

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
        for product in products:
            if rng.random() >= 0.125:
                continue
            started = moment(rng, product.created_at, self.end + dt.timedelta(days=2)).date()
            for step in range(rng.randint(1, 4)):
                area = rng.choice(UpgradeArea.values)
                price = product.unit_price or Decimal("100.00")
                yield UpgradeRecord(
                    product_id=product.pk,
                    area=area,
                    stage=UpgradeStage.values[min(step, 4)],
                    summary=SUMMARIES[area],
                    what_changed="ปรับปรุงตามคำแนะนำของผู้เชี่ยวชาญ ศูนย์วิจัยเกาะคา",
                    price_before=price,
                    price_after=price * Decimal("1.25"),
                    started_on=started + dt.timedelta(days=30 * step),
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
    if Booking.objects.exists():
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


def insert(model, rows, label):
    """bulk_create `rows` in batches, each in its own transaction; returns the saved rows."""
    saved, batch, started = [], [], time.monotonic()

    def flush():
        with transaction.atomic():
            saved.extend(model.objects.bulk_create(batch, batch_size=BATCH))
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    print(f"  {label}: {len(saved):,} in {time.monotonic() - started:.0f} s", flush=True)
    return saved


def write_photos():
    """Two small JPEGs that every generated photo row points at, so pages show an image."""
    from PIL import Image

    for name, side in (("bench/photo.jpg", 1200), ("bench/thumb.jpg", 480)):
        if not default_storage.exists(name):
            buffer = io.BytesIO()
            Image.new("RGB", (side, side), (164, 71, 31)).save(buffer, "JPEG", quality=70)
            default_storage.save(name, buffer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=190_000)
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--lab-bookings",
        type=int,
        default=0,
        help="also write the lab: 20 resources and this many bookings over two years",
    )
    parser.add_argument(
        "--lab-only", action="store_true", help="write the lab only, not the registry"
    )
    parser.add_argument(
        "--yes", action="store_true", help="yes, write benchmark data into this database"
    )
    args = parser.parse_args(argv)
    if args.lab_only and not args.lab_bookings:
        parser.error("--lab-only needs --lab-bookings N")

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
    if args.lab_only:
        pass
    elif generated.exists():
        print(
            f"{database} already holds an earlier run's {generated.count():,} enterprises and "
            f"{Product.objects.count():,} products: kept (use an empty database to regenerate)"
        )
    else:
        generate_registry(args)
    if args.lab_bookings:
        generate_lab(args)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner knows the tables are national, not empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Done in {time.monotonic() - started:.0f} s")
    return 0


def generate_registry(args):
    creator, _ = User.objects.get_or_create(
        email=GENERATOR_EMAIL,
        defaults={"full_name": "Bench data generator", "role": Role.OFFICER, "is_active": False},
    )

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
