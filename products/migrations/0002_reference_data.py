"""Ceramic product categories (OTOP group → type, with default HS codes) and the first
list of standards. Officers maintain both afterwards; this only seeds them."""

from django.db import migrations

GROUPS = [
    # code, Thai, English, position, [(code, Thai, English, HS code)]
    (
        "tableware",
        "ภาชนะบนโต๊ะอาหาร",
        "Tableware",
        1,
        [
            ("tableware-porcelain", "ภาชนะเครื่องลายครามและพอร์ซเลน", "Porcelain tableware", "6911"),
            (
                "tableware-stoneware",
                "ภาชนะสโตนแวร์และเอิร์ทเทนแวร์",
                "Stoneware and earthenware tableware",
                "6912",
            ),
            ("tableware-chicken-bowl", "ชามตราไก่", "Rooster bowls", "6912"),
        ],
    ),
    (
        "decor",
        "ของตกแต่งและของที่ระลึก",
        "Decorative items and souvenirs",
        2,
        [
            ("decor-ornament", "ของประดับและรูปปั้น", "Ornaments and statuettes", "6913"),
            ("decor-vase", "แจกันและกระถาง", "Vases and planters", "6913"),
        ],
    ),
    (
        "other",
        "ผลิตภัณฑ์เซรามิกอื่น ๆ",
        "Other ceramic articles",
        3,
        [
            ("other-household", "ของใช้ในบ้านอื่น ๆ", "Other household articles", "6914"),
            ("other-tiles", "กระเบื้องและวัสดุตกแต่ง", "Tiles and building ceramics", "6907"),
        ],
    ),
]

STANDARDS = [
    ("community", "มผช. 14/2558", "เครื่องปั้นดินเผา", "Pottery"),
    ("community", "มผช. 1216/2560", "ภาชนะเซรามิกสำหรับอาหาร", "Ceramic food containers"),
    (
        "tis",
        "มอก. 32-2553",
        "ภาชนะเซรามิกที่สัมผัสอาหาร: ปริมาณตะกั่วและแคดเมียมที่ยอมให้",
        "Ceramic ware in contact with food: release of lead and cadmium",
    ),
    (
        "otop",
        "OTOP Product Champion",
        "การคัดสรรสุดยอดหนึ่งตำบลหนึ่งผลิตภัณฑ์ไทย",
        "OTOP Product Champion selection",
    ),
    (
        "lead_cadmium",
        "ISO 6486-1",
        "การทดสอบการปลดปล่อยตะกั่วและแคดเมียม",
        "Lead and cadmium release test",
    ),
    ("export", "Thai Select / Export", "การรับรองเพื่อการส่งออก", "Export certification"),
]


def load(apps, schema_editor):
    Category = apps.get_model("products", "Category")
    Standard = apps.get_model("products", "Standard")
    for code, th, en, position, children in GROUPS:
        group, _ = Category.objects.get_or_create(
            code=code, defaults={"name_th": th, "name_en": en, "position": position}
        )
        for i, (child_code, cth, cen, hs) in enumerate(children):
            Category.objects.get_or_create(
                code=child_code,
                defaults={
                    "name_th": cth,
                    "name_en": cen,
                    "parent": group,
                    "hs_code": hs,
                    "position": i,
                },
            )
    for kind, reference, th, en in STANDARDS:
        Standard.objects.get_or_create(
            kind=kind, reference=reference, defaults={"name_th": th, "name_en": en}
        )


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
