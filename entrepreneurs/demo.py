"""Demo enterprises: four in Ko Kha and one in Mueang Lampang, with members.

Written through the models (it is demo data) and idempotent: each enterprise is found by
its tax ID's keyed hash, so a second run changes nothing.
"""

from django.utils import timezone

from accounts.models import User

from .models import Enterprise, EnterpriseKind, Member, MemberRole, Subdistrict, VerificationStatus
from .validators import display_tax_id, hash_tax_id, tax_id_check_digit

OWNER_EMAIL = "owner@demo.nakhon-ceramic.test"
OFFICER_EMAIL = "officer@demo.nakhon-ceramic.test"


def tax_id(first12):
    """A valid 13-digit tax ID from its first 12 digits."""
    return first12 + str(tax_id_check_digit(first12))


# key: the handle products/demo.py uses. Registration codes are "4" + the subdistrict's
# code + a 5-digit number, so their tambon digits name the enterprise's subdistrict.
ENTERPRISES = {
    "tha_pha": {
        "kind": EnterpriseKind.COMMUNITY_ENTERPRISE,
        "name_th": "วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านท่าผา",
        "name_en": "Ban Tha Pha Pottery Community Enterprise",
        "registration_code": "452030810012",
        "tax_id": tax_id("099300045123"),
        "subdistrict": "520308",  # ท่าผา, เกาะคา
        "address_line": "88 หมู่ 4 บ้านท่าผา",
        "phone": "054 281 456",
        "line_id": "thapha.pottery",
        "status": VerificationStatus.VERIFIED,
        "members": [
            ("สมพร แก้วมูล", MemberRole.COMMITTEE, "081 765 4321"),
            ("จันทร์เพ็ญ ใจมา", MemberRole.MEMBER, "089 112 3344"),
        ],
    },
    "rooster": {
        "kind": EnterpriseKind.OTOP_GROUP,
        "name_th": "กลุ่มชามไก่ OTOP เกาะคา",
        "name_en": "Ko Kha OTOP Rooster Bowl Group",
        "registration_code": "452030610005",
        "tax_id": tax_id("099300045678"),
        "subdistrict": "520306",  # เกาะคา
        "address_line": "15 หมู่ 2 ถนนลำปาง-เถิน",
        "phone": "054 282 101",
        "line_id": "chamkai.kokha",
        "status": VerificationStatus.VERIFIED,
        "members": [
            ("ประเสริฐ ไก่งาม", MemberRole.PRESIDENT, "086 543 2109"),
            ("มาลี ศรีวงศ์", MemberRole.REPRESENTATIVE, "087 222 1100"),
            ("อำไพ ทองคำ", MemberRole.MEMBER, ""),
        ],
    },
    "na_kaeo": {
        "kind": EnterpriseKind.COMMUNITY_ENTERPRISE,
        "name_th": "วิสาหกิจชุมชนดินเผานาแก้ว",
        "name_en": "Na Kaeo Terracotta Community Enterprise",
        "registration_code": "452030210021",
        "tax_id": tax_id("099300046012"),
        "subdistrict": "520302",  # นาแก้ว, เกาะคา
        "address_line": "7 หมู่ 6 บ้านนาแก้วเหนือ",
        "phone": "054 283 777",
        "line_id": "",
        "status": VerificationStatus.UNVERIFIED,
        "members": [("บุญเรือง ดินดี", MemberRole.PRESIDENT, "082 345 6789")],
    },
    "lai_hin": {
        "kind": EnterpriseKind.ARTISAN,
        "name_th": "ไหล่หินเคลย์สตูดิโอ",
        "name_en": "Lai Hin Clay Studio",
        "registration_code": None,
        # An artisan's tax ID is their national ID: stored hashed, shown masked.
        "tax_id": tax_id("352030012345"),
        "subdistrict": "520303",  # ไหล่หิน, เกาะคา
        "address_line": "41/1 หมู่ 1",
        "phone": "093 456 7788",
        "line_id": "laihin.clay",
        "status": VerificationStatus.VERIFIED,
        "members": [("สมบัติ ดินงาม", MemberRole.PRESIDENT, "093 456 7788")],
    },
    "nakhon_lampang": {
        "kind": EnterpriseKind.SME,
        "name_th": "บริษัท เซรามิกนครลำปาง จำกัด",
        "name_en": "Nakhon Lampang Ceramic Co., Ltd.",
        "registration_code": None,
        "tax_id": tax_id("052555900123"),
        "subdistrict": "520105",  # พระบาท, เมืองลำปาง
        "address_line": "199 ถนนพหลโยธิน",
        "phone": "054 226 900",
        "line_id": "",
        "status": VerificationStatus.VERIFIED,
        "members": [
            ("วรรณา เจริญสุข", MemberRole.REPRESENTATIVE, "054 226 900"),
            ("ธนพล รุ่งเรือง", MemberRole.COMMITTEE, ""),
        ],
    },
}


def enterprise(key):
    """The demo enterprise with this key (seeded already)."""
    return Enterprise.objects.get(tax_id_hash=hash_tax_id(ENTERPRISES[key]["tax_id"]))


def seed(*, stdout, style):
    stdout.write(style.MIGRATE_HEADING("Demo enterprises"))
    owner = User.objects.get(email=OWNER_EMAIL)
    officer = User.objects.get(email=OFFICER_EMAIL)
    places = Subdistrict.objects.select_related("district__province").in_bulk(
        [spec["subdistrict"] for spec in ENTERPRISES.values()]
    )
    for key, spec in ENTERPRISES.items():
        place = places[spec["subdistrict"]]
        verified = spec["status"] == VerificationStatus.VERIFIED
        # The demo owner registered the first enterprise; the officer the others.
        created_by = owner if key == "tha_pha" else officer
        item, created = Enterprise.objects.get_or_create(
            tax_id_hash=hash_tax_id(spec["tax_id"]),
            defaults={
                "kind": spec["kind"],
                "name_th": spec["name_th"],
                "name_en": spec["name_en"],
                "registration_code": spec["registration_code"],
                "tax_id_display": display_tax_id(spec["tax_id"]),
                "address_line": spec["address_line"],
                "subdistrict": place,
                "district": place.district,
                "province": place.district.province,
                "postal_code": place.postal_code_list[0],
                "phone": spec["phone"],
                "line_id": spec["line_id"],
                "status": spec["status"],
                "status_note": "ตรวจเอกสารครบถ้วน" if verified else "",
                "status_changed_at": timezone.now() if verified else None,
                "status_changed_by": officer if verified else None,
                "created_by": created_by,
            },
        )
        if key == "tha_pha":
            Member.objects.get_or_create(
                enterprise=item,
                user=owner,
                defaults={
                    "full_name": owner.full_name,
                    "role": MemberRole.PRESIDENT,
                    "added_by": owner,
                },
            )
        for full_name, role, phone in spec["members"]:
            Member.objects.get_or_create(
                enterprise=item,
                full_name=full_name,
                defaults={"role": role, "phone": phone, "added_by": created_by},
            )
        stdout.write(f"  {item.get_status_display():<12} {item.name_th} ({place.district.name_th})")
