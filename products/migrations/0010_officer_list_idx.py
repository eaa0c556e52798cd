"""Indexes for filtered officer product and enterprise lists (PostgreSQL only).

Plans at 190,000 products (bench/pages.py, quiet machine):

- product_category_stars_idx, "officer: products, tableware 3+ stars"
  (`?category=1&stars=3`): the paginator's COUNT(*) was a Bitmap Heap Scan of the 38,000
  products with 3+ stars over 10,400 heap pages, then a hash join with the category
  group, ~40 ms; with (category_id, otop_stars) it is an Index Only Scan per category of
  the group, ~6 ms.
- product_id_enterprise_idx, "officer: enterprises, verified+upgraded"
  (`?status=verified&upgrades=yes`): the COUNT(*) hashed every product (Parallel Seq Scan
  of products_product, 10,600 pages) to map upgrade records to enterprises, 137 ms; with
  the enterprise id beside the product id in one index it is a Merge Join of two Index
  Only Scans, 35 ms.
- product_name_filter_idx, "officer: products, tableware 3+ stars" again: the page's ids
  walked product_name_th_idx in name order and fetched each product's heap row to test
  its stars and category, 6,300 rows and 31,700 buffers for 25 ids, 25 ms. The same key
  carrying the columns the officers' list filters on in the row (category, stars,
  status) makes that walk an Index Only Scan: 3.9 ms. With search_text too (name_th,
  name_en and the HS code, under 1 KB: well within a B-tree entry), "officer: products,
  search Z-A" (`?q=ชาม&sort=-name`), which walked the name index backwards past 63,000
  heap rows whose text did not match, 70 ms, reads the index alone: 16 ms on a loaded
  machine. A search of a rare word still uses the trigram index and sorts its matches.

Like 0004 they are made only on PostgreSQL, the database for national volume.
"""

from django.db import migrations

INDEXES = [
    ("product_category_stars_idx", "products_product (category_id, otop_stars)"),
    ("product_id_enterprise_idx", "products_product (id) INCLUDE (enterprise_id)"),
    (
        "product_name_filter_idx",
        'products_product ((name_th COLLATE "th-TH-x-icu"), id)'
        " INCLUDE (category_id, otop_stars, status, search_text)",
    ),
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
    dependencies = [("products", "0009_productimage_card")]
    operations = [migrations.RunPython(create, drop)]
