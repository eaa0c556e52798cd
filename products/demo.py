"""Demo products of the demo enterprises: photos, specs, certifications, upgrades, materials.

Written through the models (it is demo data) and idempotent: products are found by
(enterprise, name_th), certifications by number, upgrade records by (product, area,
summary), materials by code and tests by date. Photos are drawn with Pillow and go
through process_photo like any upload, so they are re-encoded JPEGs with thumbnails.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from entrepreneurs.demo import enterprise

from .images import card_images, process_photo
from .models import (
    Atmosphere,
    Category,
    Certification,
    ClayBody,
    FormingMethod,
    KilnType,
    Material,
    MaterialKind,
    MaterialTest,
    Product,
    ProductImage,
    ProductStatus,
    Standard,
    UpgradeArea,
    UpgradeRecord,
    UpgradeStage,
)

OFFICER_EMAIL = "officer@demo.nakhon-ceramic.test"
STAFF_EMAIL = "staff@demo.nakhon-ceramic.test"
FACULTY_EMAIL = "faculty@demo.nakhon-ceramic.test"
OWNER_EMAIL = "owner@demo.nakhon-ceramic.test"

# --- Drawn photos ------------------------------------------------------------------------

SIZE = (800, 600)
COLOURS = {
    "cream": (244, 236, 222),
    "sand": (226, 208, 180),
    "mist": (214, 226, 230),
    "sage": (208, 222, 206),
    "dusk": (196, 186, 206),
    "terracotta": (176, 84, 46),
    "terracotta_dark": (128, 56, 30),
    "celadon": (150, 190, 164),
    "celadon_dark": (102, 146, 122),
    "white": (246, 244, 238),
    "white_shade": (214, 210, 200),
    "blue": (38, 74, 146),
    "grey": (150, 140, 128),
    "grey_dark": (110, 102, 94),
}


def _shade(colour, factor):
    return tuple(max(0, min(255, int(c * factor))) for c in colour)


def _background(draw, colour):
    # A wall fading to a table top, so the piece stands somewhere.
    width, height = SIZE
    for y in range(height):
        factor = 1.04 - 0.12 * y / height if y < 430 else 0.86
        draw.line([(0, y), (width, y)], fill=_shade(colour, factor))


def _rooster(draw, x, y, scale=1.0):
    """The Lampang rooster: a plump body, a fanned tail, a red comb."""

    def s(value):
        return value * scale

    draw.polygon(
        [(x - s(20), y), (x - s(70), y - s(60)), (x - s(40), y - s(8)), (x - s(80), y - s(30))],
        fill=(30, 60, 40),
    )
    draw.polygon(
        [(x - s(20), y + s(5)), (x - s(75), y - s(5)), (x - s(30), y + s(15))], fill=(20, 40, 30)
    )
    draw.ellipse([x - s(35), y - s(20), x + s(30), y + s(25)], fill=(196, 96, 40))
    draw.ellipse([x + s(12), y - s(42), x + s(38), y - s(16)], fill=(206, 120, 50))
    draw.polygon(
        [(x + s(37), y - s(32)), (x + s(50), y - s(28)), (x + s(37), y - s(24))],
        fill=(236, 190, 60),
    )
    for dx in (16, 24, 32):
        draw.ellipse([x + s(dx - 5), y - s(52), x + s(dx + 5), y - s(40)], fill=(206, 30, 36))
    draw.line(
        [(x - s(5), y + s(22)), (x - s(8), y + s(45))], fill=(236, 190, 60), width=max(2, int(s(4)))
    )
    draw.line(
        [(x + s(8), y + s(22)), (x + s(10), y + s(45))],
        fill=(236, 190, 60),
        width=max(2, int(s(4))),
    )


def _bowl(draw, body, inner, motif):
    draw.ellipse([220, 455, 580, 495], fill=(0, 0, 0, 40))
    draw.rectangle([335, 455, 465, 482], fill=_shade(body, 0.8))
    draw.pieslice([170, 170, 630, 470], 0, 180, fill=body)
    draw.ellipse([170, 290, 630, 350], fill=inner)
    draw.ellipse([185, 298, 615, 342], fill=_shade(inner, 0.9))
    if motif:
        draw.line([(176, 358), (624, 358)], fill=(38, 74, 146), width=3)
        _rooster(draw, 400, 400, 1.1)


def _vase(draw, body, inner, motif):
    draw.ellipse([270, 500, 530, 530], fill=_shade(body, 0.5))
    draw.ellipse([250, 230, 550, 520], fill=body)
    draw.polygon([(355, 120), (445, 120), (470, 260), (330, 260)], fill=body)
    draw.ellipse([335, 100, 465, 135], fill=_shade(body, 0.8))
    draw.ellipse([352, 106, 448, 128], fill=_shade(inner, 0.6))
    draw.arc([280, 260, 520, 500], 200, 250, fill=_shade(body, 1.12), width=10)
    if motif:
        _rooster(draw, 400, 380, 1.1)


def _mug(draw, body, inner, motif):
    draw.ellipse([270, 470, 560, 505], fill=_shade(body, 0.5))
    draw.ellipse([470, 250, 600, 410], outline=body, width=26)
    draw.rounded_rectangle([280, 190, 520, 490], radius=30, fill=body)
    draw.ellipse([280, 172, 520, 212], fill=_shade(body, 0.8))
    draw.ellipse([292, 178, 508, 206], fill=inner)
    if motif:
        _rooster(draw, 400, 340, 1.0)


def _planter(draw, body, inner, motif):
    draw.ellipse([270, 470, 530, 500], fill=_shade(body, 0.5))
    draw.polygon([(240, 200), (560, 200), (520, 485), (280, 485)], fill=body)
    # Printed layers, with the wave the printer draws.
    for i, y in enumerate(range(210, 485, 11)):
        shift = 6 if i % 2 else -6
        draw.line([(250 + shift, y), (550 + shift, y)], fill=_shade(body, 0.86), width=3)
    draw.ellipse([240, 185, 560, 220], fill=_shade(body, 0.8))
    draw.ellipse([255, 190, 545, 214], fill=(80, 130, 70))
    for leaf in range(5):
        x = 300 + leaf * 50
        draw.ellipse([x, 100 + (leaf % 2) * 25, x + 45, 200], fill=(70, 140, 70))


def _teaset(draw, body, inner, motif):
    draw.ellipse([200, 450, 600, 490], fill=_shade(body, 0.5))
    draw.ellipse([250, 220, 520, 470], fill=body)
    draw.polygon([(505, 330), (610, 250), (620, 265), (520, 380)], fill=body)
    draw.arc([190, 260, 300, 400], 90, 270, fill=_shade(body, 0.85), width=20)
    draw.ellipse([330, 205, 440, 240], fill=_shade(body, 0.85))
    draw.ellipse([370, 185, 400, 210], fill=_shade(body, 0.75))
    for x in (120, 620):
        draw.pieslice([x, 400, x + 90, 500], 0, 180, fill=body)
        draw.ellipse([x, 438, x + 90, 462], fill=inner)


def _figurine(draw, body, inner, motif):
    draw.ellipse([260, 470, 560, 510], fill=_shade(body, 0.5))
    draw.rectangle([360, 420, 440, 480], fill=_shade(body, 0.8))
    _rooster(draw, 400, 330, 3.0)


def _plate(draw, body, inner, motif):
    draw.ellipse([150, 215, 650, 445], fill=_shade(body, 0.75))
    draw.ellipse([150, 200, 650, 430], fill=body)
    draw.ellipse([240, 240, 560, 390], outline=(38, 74, 146), width=4)
    if motif:
        _rooster(draw, 400, 320, 1.3)


SHAPES = {
    "bowl": _bowl,
    "vase": _vase,
    "mug": _mug,
    "planter": _planter,
    "teaset": _teaset,
    "figurine": _figurine,
    "plate": _plate,
}


def draw_photo(shape, body, background, *, inner="white", motif=False):
    """An 800 x 600 picture of a piece, as a PNG upload for process_photo."""
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image, "RGBA")
    _background(draw, COLOURS[background])
    SHAPES[shape](draw, COLOURS[body], COLOURS[inner], motif)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name=f"{shape}.png")


def _photo_set(picture):
    """The kept photo, its thumbnail and its showcase card crops, as an upload makes them."""
    photo, thumbnail = process_photo(draw_photo(**picture))
    return photo, thumbnail, card_images(photo)


# --- Materials ---------------------------------------------------------------------------

MATERIALS = [
    {
        "code": "CB-LPK-01",
        "kind": MaterialKind.CLAY_BODY,
        "name": "เนื้อดินดินขาวลำปาง (แจ้ห่ม) สำหรับเผาสูง",
        "description": "ดินขาวลำปางผสมเฟลด์สปาร์และดินเหนียว สูตรศูนย์ฯ เกาะคา สำหรับชามตราไก่และแจกัน",
        "supplier": "เหมืองดินขาวอำเภอแจ้ห่ม จังหวัดลำปาง",
        "tests": [
            {
                "tested_on": date(2025, 11, 12),
                "firing_temperature": 1250,
                "shrinkage": Decimal("12.50"),
                "water_absorption": Decimal("0.60"),
                "firing_range_min": 1230,
                "firing_range_max": 1280,
                "method": "ASTM C373",
                "passed": True,
                "notes": "หดตัวสม่ำเสมอ ไม่บิดเบี้ยวที่ 1250 °C",
            },
        ],
    },
    {
        "code": "GZ-CEL-02",
        "kind": MaterialKind.GLAZE,
        "name": "เคลือบเซลาดอนไร้สารตะกั่ว",
        "description": "เคลือบเซลาดอนจากขี้เถ้าไม้ในท้องถิ่น สูตรปรับใหม่ไม่ใช้ฟริตตะกั่ว",
        "supplier": "ห้องปฏิบัติการเคลือบ ศูนย์ฯ เกาะคา",
        "tests": [
            # The old recipe failed under the limit of its day.
            {
                "tested_on": date(2023, 3, 8),
                "firing_temperature": 1240,
                "lead_release": Decimal("2.600"),
                "lead_limit": Decimal("2.000"),
                "cadmium_release": Decimal("0.080"),
                "cadmium_limit": Decimal("0.300"),
                "method": "มอก. 32-2553",
                "passed": False,
                "notes": "สูตรเดิมใช้ฟริตตะกั่ว ปลดปล่อยตะกั่วเกินเกณฑ์",
            },
            {
                "tested_on": date(2025, 8, 20),
                "firing_temperature": 1260,
                "lead_release": Decimal("0.020"),
                "lead_limit": Decimal("0.500"),
                "cadmium_release": Decimal("0.005"),
                "cadmium_limit": Decimal("0.250"),
                "firing_range_min": 1240,
                "firing_range_max": 1270,
                "method": "ISO 6486-1",
                "passed": True,
                "notes": "สูตรใหม่ไร้สารตะกั่ว ผ่านเกณฑ์ที่เข้มขึ้น",
            },
        ],
    },
]

# --- Products ----------------------------------------------------------------------------

KAOLIN, CELADON = "CB-LPK-01", "GZ-CEL-02"

PRODUCTS = [
    {
        "enterprise": "rooster",
        "name_th": "ชามตราไก่เขียนมือ 6 นิ้ว",
        "name_en": "Hand-painted rooster bowl, 6 inch",
        "category": "tableware-chicken-bowl",
        "description": (
            "ชามตราไก่ลำปางเขียนลายด้วยมือทีละใบ เนื้อดินขาวลำปาง เคลือบใสไร้สารตะกั่ว "
            "ใช้ได้กับไมโครเวฟและเครื่องล้างจาน"
        ),
        "unit_price": "180",
        "monthly_capacity": 2000,
        "otop_stars": 5,
        "otop_year": 2024,
        "status": ProductStatus.PUBLISHED,
        "spec": {
            "clay_body": ClayBody.LAMPANG_KAOLIN,
            "forming_method": FormingMethod.JIGGERING,
            "glaze": "เคลือบใส ลายไก่สีใต้เคลือบ",
            "lead_free_glaze": True,
            "bisque_temperature": 800,
            "glaze_temperature": 1250,
            "orton_cone": "8",
            "atmosphere": Atmosphere.OXIDATION,
            "kiln_type": KilnType.GAS_SHUTTLE,
            "length_mm": 152,
            "width_mm": 152,
            "height_mm": 70,
            "capacity_ml": 450,
            "weight_g": 310,
            "water_absorption": Decimal("0.50"),
            "food_safe": True,
            "microwave_safe": True,
            "dishwasher_safe": True,
        },
        "photos": [
            {"shape": "bowl", "body": "white", "background": "cream", "motif": True},
            {"shape": "plate", "body": "white", "background": "mist", "motif": True},
            {
                "shape": "bowl",
                "body": "white",
                "background": "sage",
                "inner": "cream",
                "motif": True,
            },
        ],
        "materials": [KAOLIN],
        "certifications": [
            ("community", "มผช. 14/2558", "52-0417/2567", date(2024, 6, 1), date(2027, 5, 31)),
            ("tis", "มอก. 32-2553", "ท-3215/2567", date(2024, 9, 15), date(2027, 9, 14)),
        ],
        "upgrades": [
            {
                "area": UpgradeArea.DESIGN,
                "stage": UpgradeStage.COMMERCIALISED,
                "summary": "ลายไก่ร่วมสมัยสำหรับตลาดคนรุ่นใหม่",
                "what_changed": (
                    "นักออกแบบปรับลายไก่ให้เรียบง่าย ลดสีจากห้าสีเหลือสามสี และออกแบบกล่องของขวัญใหม่"
                ),
                "before": {"shape": "bowl", "body": "white_shade", "background": "sand"},
                "after": {"shape": "bowl", "body": "white", "background": "cream", "motif": True},
                "price": ("120", "180"),
                "sales": ("60000", "95000"),
                "started_on": date(2024, 11, 4),
                "completed_on": date(2025, 6, 30),
            },
            {
                "area": UpgradeArea.STANDARDS,
                "stage": UpgradeStage.TESTING,
                "summary": "เปลี่ยนเป็นเคลือบไร้สารตะกั่วและทดสอบตาม มอก. 32",
                "what_changed": "เลิกใช้ฟริตตะกั่ว ทดสอบการปลดปล่อยตะกั่วและแคดเมียมที่ศูนย์ฯ เกาะคา",
                "before": {"shape": "bowl", "body": "grey", "background": "sand"},
                "after": {"shape": "bowl", "body": "white", "background": "mist", "motif": True},
                "price": ("180", "180"),
                "sales": ("95000", "110000"),
                "started_on": date(2025, 7, 1),
                "completed_on": None,
            },
        ],
    },
    {
        "enterprise": "tha_pha",
        "name_th": "ชุดน้ำชาเซลาดอน 5 ชิ้น",
        "name_en": "Celadon tea set, 5 pieces",
        "category": "tableware-stoneware",
        "description": "กาน้ำชาและถ้วยสี่ใบ เคลือบเซลาดอนขี้เถ้าไม้ เผาแบบรีดักชันด้วยเตาแก๊ส",
        "unit_price": "1250",
        "monthly_capacity": 120,
        "otop_stars": 4,
        "otop_year": 2022,
        "status": ProductStatus.PUBLISHED,
        "spec": {
            "clay_body": ClayBody.STONEWARE,
            "forming_method": FormingMethod.WHEEL,
            "glaze": "เคลือบเซลาดอนขี้เถ้าไม้",
            "lead_free_glaze": True,
            "bisque_temperature": 850,
            "glaze_temperature": 1260,
            "orton_cone": "8",
            "atmosphere": Atmosphere.REDUCTION,
            "kiln_type": KilnType.GAS_SHUTTLE,
            "length_mm": 180,
            "width_mm": 130,
            "height_mm": 120,
            "capacity_ml": 600,
            "weight_g": 1450,
            "water_absorption": Decimal("1.20"),
            "food_safe": True,
            "dishwasher_safe": True,
        },
        "photos": [
            {"shape": "teaset", "body": "celadon", "background": "cream", "inner": "celadon_dark"},
            {"shape": "mug", "body": "celadon", "background": "dusk", "inner": "celadon_dark"},
        ],
        "materials": [CELADON],
        "certifications": [
            ("community", "มผช. 1216/2560", "52-0233/2566", date(2023, 2, 10), date(2029, 2, 9)),
        ],
        "upgrades": [
            {
                "area": UpgradeArea.USABILITY,
                "stage": UpgradeStage.COMMERCIALISED,
                "summary": "หูจับและฝากาที่จับถนัดมือ ไม่หยดน้ำ",
                "what_changed": "ปรับทรงพวยกาให้ตัดน้ำ ฝามีสลักกันหล่น หูจับใหญ่ขึ้นสำหรับผู้สูงอายุ",
                "before": {"shape": "teaset", "body": "grey", "background": "sand"},
                "after": {"shape": "teaset", "body": "celadon", "background": "cream"},
                "price": ("890", "1250"),
                "sales": ("35000", "52000"),
                "started_on": date(2024, 2, 5),
                "completed_on": date(2024, 9, 30),
            },
            {
                "area": UpgradeArea.INNOVATION,
                "stage": UpgradeStage.PROTOTYPE,
                "summary": "เคลือบเซลาดอนสูตรขี้เถ้าไม้ท้องถิ่นไร้สารตะกั่ว",
                "what_changed": "พัฒนาสูตรเคลือบใหม่ร่วมกับห้องปฏิบัติการเคลือบ ศูนย์ฯ เกาะคา",
                "before": {"shape": "mug", "body": "grey_dark", "background": "sand"},
                "after": {"shape": "mug", "body": "celadon", "background": "sage"},
                "price": ("1250", "1250"),
                "sales": (None, None),
                "started_on": date(2025, 9, 1),
                "completed_on": None,
            },
        ],
    },
    {
        "enterprise": "tha_pha",
        "name_th": "แจกันดินขาวลำปางทรงหยดน้ำ",
        "name_en": "Lampang kaolin teardrop vase",
        "category": "decor-vase",
        "description": "แจกันหล่อน้ำดินจากดินขาวลำปาง เคลือบด้านสีขาวนวล เหมาะเป็นของขวัญ",
        "unit_price": "650",
        "monthly_capacity": 300,
        "otop_stars": 3,
        "otop_year": 2023,
        "status": ProductStatus.PUBLISHED,
        "spec": {
            "clay_body": ClayBody.LAMPANG_KAOLIN,
            "forming_method": FormingMethod.SLIP_CASTING,
            "glaze": "เคลือบด้านสีขาวนวล",
            "lead_free_glaze": True,
            "bisque_temperature": 900,
            "glaze_temperature": 1280,
            "orton_cone": "9",
            "atmosphere": Atmosphere.OXIDATION,
            "kiln_type": KilnType.ELECTRIC,
            "length_mm": 140,
            "width_mm": 140,
            "height_mm": 280,
            "weight_g": 900,
            "water_absorption": Decimal("0.30"),
        },
        "photos": [
            {"shape": "vase", "body": "white", "background": "sage"},
            {"shape": "vase", "body": "white", "background": "dusk", "motif": True},
        ],
        "materials": [KAOLIN],
        "certifications": [],
        "upgrades": [
            {
                "area": UpgradeArea.DESIGN,
                "stage": UpgradeStage.PROTOTYPE,
                "summary": "ทรงหยดน้ำสำหรับตลาดของขวัญ",
                "what_changed": "ออกแบบทรงใหม่ให้บางเบา ใช้แม่พิมพ์ปูนสองชิ้นแทนการขึ้นรูปด้วยมือ",
                "before": {"shape": "vase", "body": "terracotta", "background": "sand"},
                "after": {"shape": "vase", "body": "white", "background": "sage"},
                "price": ("450", "650"),
                "sales": ("18000", None),
                "started_on": date(2025, 10, 6),
                "completed_on": None,
            },
        ],
    },
    {
        "enterprise": "lai_hin",
        "name_th": "กระถางต้นไม้พิมพ์สามมิติ ลายคลื่น",
        "name_en": "3D-printed wave planter",
        "category": "decor-vase",
        "description": "กระถางขึ้นรูปด้วยเครื่องพิมพ์ดินสามมิติที่ศูนย์ฯ เกาะคา ผิวเป็นลายคลื่นตามชั้นพิมพ์",
        "unit_price": "390",
        "monthly_capacity": 80,
        "otop_stars": None,
        "otop_year": None,
        "status": ProductStatus.PUBLISHED,
        "spec": {
            "clay_body": ClayBody.STONEWARE,
            "forming_method": FormingMethod.PRINTING,
            "glaze": "ด้านนอกไม่เคลือบ ด้านในเคลือบใส",
            "lead_free_glaze": True,
            "bisque_temperature": 850,
            "glaze_temperature": 1230,
            "orton_cone": "6",
            "atmosphere": Atmosphere.OXIDATION,
            "kiln_type": KilnType.ELECTRIC,
            "length_mm": 160,
            "width_mm": 160,
            "height_mm": 150,
            "weight_g": 780,
            "water_absorption": Decimal("2.50"),
        },
        "photos": [
            {"shape": "planter", "body": "terracotta", "background": "cream"},
            {"shape": "planter", "body": "white", "background": "mist"},
        ],
        "materials": [],
        "certifications": [],
        "upgrades": [
            {
                "area": UpgradeArea.INNOVATION,
                "stage": UpgradeStage.COMMERCIALISED,
                "summary": "ขึ้นรูปด้วยเครื่องพิมพ์ดินสามมิติ",
                "what_changed": "ออกแบบไฟล์สามมิติและปรับความเหลวของดินให้พิมพ์ได้ ลดเวลาขึ้นรูปลงครึ่งหนึ่ง",
                "before": {"shape": "vase", "body": "terracotta_dark", "background": "sand"},
                "after": {"shape": "planter", "body": "terracotta", "background": "cream"},
                "price": ("150", "390"),
                "sales": ("6000", "21000"),
                "started_on": date(2025, 1, 13),
                "completed_on": date(2025, 8, 29),
            },
        ],
    },
    {
        "enterprise": "nakhon_lampang",
        "name_th": "แก้วมัคเคลือบสีฟ้าคราม",
        "name_en": "Indigo-glazed porcelain mug",
        "category": "tableware-porcelain",
        "description": "แก้วมัคพอร์ซเลนหล่อน้ำดิน เคลือบสีฟ้าครามไร้สารตะกั่ว ผลิตส่งโรงแรมและร้านกาแฟ",
        "unit_price": "120",
        "monthly_capacity": 8000,
        "otop_stars": 4,
        "otop_year": 2024,
        "status": ProductStatus.PUBLISHED,
        "spec": {
            "clay_body": ClayBody.PORCELAIN,
            "forming_method": FormingMethod.SLIP_CASTING,
            "glaze": "เคลือบสีฟ้าคราม",
            "lead_free_glaze": True,
            "bisque_temperature": 900,
            "glaze_temperature": 1280,
            "orton_cone": "9",
            "atmosphere": Atmosphere.OXIDATION,
            "kiln_type": KilnType.TUNNEL,
            "length_mm": 120,
            "width_mm": 85,
            "height_mm": 95,
            "capacity_ml": 350,
            "weight_g": 320,
            "water_absorption": Decimal("0.20"),
            "food_safe": True,
            "microwave_safe": True,
            "dishwasher_safe": True,
        },
        "photos": [
            {"shape": "mug", "body": "blue", "background": "cream", "inner": "white"},
            {"shape": "mug", "body": "blue", "background": "sand", "inner": "white", "motif": True},
        ],
        "materials": [],
        "certifications": [
            ("tis", "มอก. 32-2553", "ท-4102/2568", date(2025, 3, 1), date(2028, 2, 28)),
            ("export", "Thai Select / Export", "EXP-52-0091", date(2025, 5, 20), None),
        ],
        "upgrades": [
            {
                "area": UpgradeArea.STANDARDS,
                "stage": UpgradeStage.COMMERCIALISED,
                "summary": "ได้การรับรอง มอก. 32 เพื่อส่งโรงแรม",
                "what_changed": "ควบคุมอุณหภูมิเตาอุโมงค์และทดสอบตะกั่วทุกล็อต จนได้ใบอนุญาต มอก.",
                "before": {"shape": "mug", "body": "grey", "background": "mist"},
                "after": {"shape": "mug", "body": "blue", "background": "cream"},
                "price": ("89", "120"),
                "sales": ("150000", "210000"),
                "started_on": date(2024, 5, 2),
                "completed_on": date(2025, 3, 1),
            },
        ],
    },
    {
        "enterprise": "na_kaeo",
        "name_th": "ตุ๊กตาไก่ดินเผา",
        "name_en": "Terracotta rooster figurine",
        "category": "decor-ornament",
        "description": "ตุ๊กตาไก่ปั้นมือจากดินเหนียวนาแก้ว เผาด้วยเตาฟืน ของที่ระลึกเมืองรถม้า",
        "unit_price": "250",
        "monthly_capacity": 400,
        "otop_stars": 3,
        "otop_year": 2022,
        "status": ProductStatus.PUBLISHED,
        "spec": {
            "clay_body": ClayBody.EARTHENWARE,
            "forming_method": FormingMethod.HAND,
            "bisque_temperature": 950,
            "orton_cone": "08",
            "atmosphere": Atmosphere.OXIDATION,
            "kiln_type": KilnType.WOOD,
            "length_mm": 150,
            "width_mm": 70,
            "height_mm": 180,
            "weight_g": 540,
            "water_absorption": Decimal("12.00"),
        },
        "photos": [{"shape": "figurine", "body": "terracotta", "background": "cream"}],
        "materials": [],
        "certifications": [],
        "upgrades": [],
    },
    {
        "enterprise": "rooster",
        "name_th": "จานลายครามตราไก่ 8 นิ้ว",
        "name_en": "Blue-and-white rooster plate, 8 inch",
        "category": "tableware-chicken-bowl",
        "description": "จานลายครามรุ่นใหม่ ยังอยู่ระหว่างทำตัวอย่าง",
        "unit_price": "220",
        "monthly_capacity": 500,
        "otop_stars": None,
        "otop_year": None,
        "status": ProductStatus.DRAFT,
        "spec": {
            "clay_body": ClayBody.LAMPANG_KAOLIN,
            "forming_method": FormingMethod.JIGGERING,
            "glaze": "เคลือบใส ลายครามสีน้ำเงิน",
            "lead_free_glaze": True,
            "glaze_temperature": 1250,
            "orton_cone": "8",
            "length_mm": 203,
            "width_mm": 203,
            "height_mm": 25,
        },
        "photos": [{"shape": "plate", "body": "white", "background": "mist", "motif": True}],
        "materials": [KAOLIN],
        "certifications": [],
        "upgrades": [],
    },
]


def _money(value):
    return Decimal(value) if value is not None else None


def seed_materials(staff):
    materials = {}
    for spec in MATERIALS:
        material, _created = Material.objects.get_or_create(
            code=spec["code"],
            defaults={
                "kind": spec["kind"],
                "name": spec["name"],
                "description": spec["description"],
                "supplier": spec["supplier"],
                "created_by": staff,
            },
        )
        for test in spec["tests"]:
            values = dict(test)
            MaterialTest.objects.get_or_create(
                material=material,
                tested_on=values.pop("tested_on"),
                defaults={**values, "recorded_by": staff},
            )
        materials[material.code] = material
    return materials


def seed_product(spec, *, order, people, materials, categories, standards):
    owner, officer, faculty = people["owner"], people["officer"], people["faculty"]
    maker = enterprise(spec["enterprise"])
    category = categories[spec["category"]]
    published = spec["status"] == ProductStatus.PUBLISHED
    product, created = Product.objects.get_or_create(
        enterprise=maker,
        name_th=spec["name_th"],
        defaults={
            "name_en": spec["name_en"],
            "category": category,
            "hs_code": category.hs_code,
            "description": spec["description"],
            "unit_price": _money(spec["unit_price"]),
            "monthly_capacity": spec["monthly_capacity"],
            "otop_stars": spec["otop_stars"],
            "otop_year": spec["otop_year"],
            "status": spec["status"],
            # Spread out, so the showcase's newest-first order is the list's order.
            "published_at": timezone.now() - timedelta(days=order) if published else None,
            "created_by": owner if spec["enterprise"] == "tha_pha" else officer,
            **spec["spec"],
        },
    )
    if created:
        for position, picture in enumerate(spec["photos"]):
            photo, thumbnail, cards = _photo_set(picture)
            image = ProductImage(product=product, position=position)
            image.image.save(photo.name, photo, save=False)
            image.thumbnail.save(thumbnail.name, thumbnail, save=False)
            image.set_card_images(cards)
            image.save()
    product.materials.add(*(materials[code] for code in spec["materials"]))
    for kind, reference, number, issued_on, expires_on in spec["certifications"]:
        Certification.objects.get_or_create(
            product=product,
            standard=standards[kind, reference],
            number=number,
            defaults={"issued_on": issued_on, "expires_on": expires_on, "created_by": officer},
        )
    for upgrade in spec["upgrades"]:
        record, created = UpgradeRecord.objects.get_or_create(
            product=product,
            area=upgrade["area"],
            summary=upgrade["summary"],
            defaults={
                "stage": upgrade["stage"],
                "what_changed": upgrade["what_changed"],
                "price_before": _money(upgrade["price"][0]),
                "price_after": _money(upgrade["price"][1]),
                "monthly_sales_before": _money(upgrade["sales"][0]),
                "monthly_sales_after": _money(upgrade["sales"][1]),
                "expert": faculty,
                "started_on": upgrade["started_on"],
                "completed_on": upgrade["completed_on"],
                "recorded_by": faculty if upgrade["area"] == UpgradeArea.DESIGN else officer,
            },
        )
        if created:
            record.before_photo = process_photo(
                draw_photo(**upgrade["before"]), with_thumbnail=False
            )[0]
            record.after_photo = process_photo(
                draw_photo(**upgrade["after"]), with_thumbnail=False
            )[0]
            record.save(update_fields=["before_photo", "after_photo"])
    return product


def seed(*, stdout, style):
    stdout.write(style.MIGRATE_HEADING("Demo products"))
    people = {
        "owner": User.objects.get(email=OWNER_EMAIL),
        "officer": User.objects.get(email=OFFICER_EMAIL),
        "faculty": User.objects.get(email=FACULTY_EMAIL),
    }
    materials = seed_materials(User.objects.get(email=STAFF_EMAIL))
    categories = Category.objects.in_bulk(field_name="code")
    standards = {(s.kind, s.reference): s for s in Standard.objects.all()}
    for order, spec in enumerate(PRODUCTS):
        product = seed_product(
            spec,
            order=order,
            people=people,
            materials=materials,
            categories=categories,
            standards=standards,
        )
        stdout.write(f"  {product.get_status_display():<10} {product.name_th}")
