"""B-tree indexes for the product list at national volume (PostgreSQL only).

Each sort key with the primary key as tie-breaker, so a page is read in index order and
stops after 25 rows instead of joining and sorting 190,000. Price and OTOP stars sort
with products that have none last in both directions, so the descending ones are indexed
DESC NULLS LAST, which SQLite cannot index; like the trigram indexes all of them are made
only on PostgreSQL, the database for national volume.
"""

from django.db import migrations

INDEXES = [
    ("product_name_idx", "products_product (name_th, id)"),
    ("product_created_idx", "products_product (created_at, id)"),
    ("product_price_idx", "products_product (unit_price, id)"),
    ("product_price_desc_idx", "products_product (unit_price DESC NULLS LAST, id DESC)"),
    ("product_stars_idx", "products_product (otop_stars, id)"),
    ("product_stars_desc_idx", "products_product (otop_stars DESC NULLS LAST, id DESC)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("products", "0003_trigram_search")]
    operations = [migrations.RunPython(create, drop)]
