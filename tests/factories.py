import datetime as _dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Role, User
from entrepreneurs.models import (
    Enterprise,
    EnterpriseKind,
    Member,
    MemberRole,
    Subdistrict,
)
from products.models import (
    Category,
    Certification,
    Material,
    MaterialKind,
    MaterialTest,
    Product,
    ProductStatus,
    Standard,
    UpgradeArea,
    UpgradeRecord,
    UpgradeStage,
)
from programmes.models import Intake, Programme, ProgrammeStatus

DEFAULT_PASSWORD = "clay-and-glaze-2569"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"สมชาย ใจดี {n}")
    role = Role.ENTREPRENEUR
    language = "th"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Give the user a verified primary address, as allauth would after confirmation."""
        if not create:
            return
        obj.save()
        if extracted is False:
            return
        EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


# --- Registry (issue 3) ------------------------------------------------------------------
KO_KHA_SUBDISTRICT = "520301"  # ลำปางหลวง, อำเภอเกาะคา, ลำปาง (loaded by a migration)


def subdistrict(code=KO_KHA_SUBDISTRICT):
    return Subdistrict.objects.select_related("district__province").get(code=code)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """An enterprise in Ko Kha; pass `owner=user` to make that person its president."""

    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    kind = EnterpriseKind.COMMUNITY_ENTERPRISE
    name_th = factory.Sequence(lambda n: f"วิสาหกิจชุมชนเครื่องปั้นดินเผาเกาะคา {n}")
    name_en = factory.Sequence(lambda n: f"Ko Kha Pottery Community Enterprise {n}")
    subdistrict = factory.LazyFunction(subdistrict)
    district = factory.LazyAttribute(lambda o: o.subdistrict.district)
    province = factory.LazyAttribute(lambda o: o.subdistrict.district.province)
    postal_code = factory.LazyAttribute(lambda o: o.subdistrict.postal_code_list[0])
    address_line = "12 หมู่ 3"
    phone = "054 281 234"

    @factory.post_generation
    def owner(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            obj.created_by = extracted
            obj.save(update_fields=["created_by"])
            Member.objects.create(
                enterprise=obj,
                user=extracted,
                full_name=extracted.full_name,
                role=MemberRole.PRESIDENT,
            )


def category(code="tableware-stoneware"):
    return Category.objects.get(code=code)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    enterprise = factory.SubFactory(EnterpriseFactory)
    name_th = factory.Sequence(lambda n: f"ชามตราไก่ลายคราม {n}")
    name_en = factory.Sequence(lambda n: f"Rooster bowl {n}")
    category = factory.LazyFunction(category)
    hs_code = "6912"
    unit_price = Decimal("120.00")
    monthly_capacity = 500
    status = ProductStatus.DRAFT


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    kind = "community"
    reference = factory.Sequence(lambda n: f"มผช. {900 + n}/2568")
    name_th = "เครื่องปั้นดินเผาทดสอบ"
    name_en = "Test pottery"


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    product = factory.SubFactory(ProductFactory)
    standard = factory.SubFactory(StandardFactory)
    number = factory.Sequence(lambda n: f"CERT-{n:05d}")
    issued_on = _dt.date(2025, 1, 15)
    expires_on = _dt.date(2028, 1, 14)


class UpgradeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpgradeRecord

    product = factory.SubFactory(ProductFactory)
    area = UpgradeArea.DESIGN
    stage = UpgradeStage.PROTOTYPE
    summary = "ออกแบบลายไก่ใหม่ให้ร่วมสมัย"
    what_changed = "ปรับลายไก่และสีเคลือบให้เข้ากับตลาดคนรุ่นใหม่"
    started_on = _dt.date(2026, 3, 1)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    kind = MaterialKind.CLAY_BODY
    code = factory.Sequence(lambda n: f"CB-{n:03d}")
    name = "ดินขาวลำปาง"


class MaterialTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialTest

    material = factory.SubFactory(MaterialFactory)
    tested_on = _dt.date(2026, 6, 1)
    shrinkage = Decimal("11.50")
    water_absorption = Decimal("0.80")


# --- Programmes (issue 4) ----------------------------------------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    title_th = "โครงการยกระดับอุตสาหกรรมวัสดุสร้างสรรค์และหัตถอุตสาหกรรม"
    title_en = "Creative industrial materials and craft industry upgrading"
    fiscal_year = 2570
    policy = "DIPROM CARE"
    status = ProgrammeStatus.ACTIVE
    target_enterprises = 20


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake open now, for 5 places, open to every verified enterprise."""

    class Meta:
        model = Intake

    programme = factory.SubFactory(ProgrammeFactory)
    name_th = factory.Sequence(lambda n: f"รุ่นที่ {n + 1}")
    name_en = factory.Sequence(lambda n: f"Cohort {n + 1}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - _dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + _dt.timedelta(days=14))
    capacity = 5
    verified_only = True


# --- The Ko Kha lab (issue 9) ------------------------------------------------------------


class ClearanceKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.ClearanceKind"
        django_get_or_create = ("code",)

    code = "electric-kiln"
    name_th = "การใช้เตาเผาไฟฟ้า"
    name_en = "Electric kiln operation"
    earned_at_th = "หลักสูตรการใช้เตาเผา ศูนย์เกาะคา"
    earned_at_en = "the kiln-operation course at the Ko Kha centre"


class ResourceFactory(factory.django.DjangoModelFactory):
    """A resource open 08:00–20:00 every day, bookable by students, faculty and entrepreneurs,
    in 30-minute steps from 30 minutes to 8 hours, up to 60 days ahead, with no cool-down."""

    class Meta:
        model = "training.Resource"
        skip_postgeneration_save = True

    name_th = factory.Sequence(lambda n: f"เตาเผาไฟฟ้า {n + 1}")
    name_en = factory.Sequence(lambda n: f"Electric kiln {n + 1}")
    kind = "electric_kiln"
    location = "อาคาร 2"
    bookable_by = factory.LazyFunction(lambda: ["student", "faculty", "entrepreneur"])

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        from training.models import OpeningHours

        if not create or extracted is False:
            return
        opens, closes = extracted or (_dt.time(8), _dt.time(20))
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=obj, weekday=day, opens=opens, closes=closes) for day in range(7)
        )


class ClearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Clearance"

    holder = factory.SubFactory(UserFactory, role=Role.STUDENT)
    kind = factory.SubFactory(ClearanceKindFactory)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + _dt.timedelta(days=365))


def at(days, hour, minute=0):
    """A local time `days` from today at hour:minute."""
    day = timezone.localdate() + _dt.timedelta(days=days)
    return timezone.make_aware(_dt.datetime.combine(day, _dt.time(hour, minute)))


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written straight to the table (tests of reading); services check rules."""

    class Meta:
        model = "training.Booking"

    resource = factory.SubFactory(ResourceFactory)
    owner = factory.SubFactory(UserFactory, role=Role.STUDENT)
    starts_at = factory.LazyFunction(lambda: at(2, 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _dt.timedelta(hours=2))
    blocked_until = factory.LazyAttribute(
        lambda o: o.ends_at + _dt.timedelta(minutes=o.resource.cooldown_minutes)
    )
    status = "approved"
    purpose = "research"
