"""Covering indexes for a programme's dashboard (PostgreSQL only).

The dashboard counts a programme's products upgraded per area and its enterprises per
district. At bench/'s national volume (50,000 enterprises, 60,000 upgrade records, a
programme with 4,051 place-holding applications) both read whole tables for a column or
two (issue 12, plans of "officer: programme dashboard" in bench/README.md):

- upgrades per area: `Seq Scan on products_upgraderecord` (2,500 pages) for product_id,
  started_on and area, hash-semi-joined to the enrolled products. With (product_id,
  started_on) INCLUDE (area) it is an `Index Only Scan` (Heap Fetches: 0): ~18 → ~12.5 ms.
- enterprises per district: `Seq Scan on entrepreneurs_enterprise` (2,699 pages) for id
  and district_id. With (id) INCLUDE (district_id) the holding enterprises' districts are
  read from the index alone: ~14 → ~8 ms.

SQLite has no included columns (Django's check warns of them), so, like products/0007,
they are made only on PostgreSQL. Both tables belong to other apps; the dashboard that
needs them is this app's.
"""

from django.db import migrations

INDEXES = {
    "upgrade_product_started_idx": "products_upgraderecord (product_id, started_on) INCLUDE (area)",
    "enterprise_district_cover_idx": "entrepreneurs_enterprise (id) INCLUDE (district_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("entrepreneurs", "0006_member_thai_name_order"),
        ("products", "0009_productimage_card"),
        ("programmes", "0004_review_queue_indexes"),
    ]
    operations = [migrations.RunPython(create, drop)]
