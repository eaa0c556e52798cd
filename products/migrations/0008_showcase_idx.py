"""A partial index in the showcase's order (PostgreSQL only).

The showcase lists published products newest first, then by Thai name, then id
(ProductQuerySet.showcase_cards). Without an index in that order PostgreSQL read all
~75,000 published rows of bench/'s 190,000 products, joined them to their enterprises
and sorted them for every page (a top-N heapsort, an external merge sort on disk for
deeper pages): ~1,200 ms for page 1 and ~1,350 ms for page 100. Keyed in the same order
(the name collated in Thai, as thai_order() sorts), over published rows only, the page
is read in index order and the scan stops after the page's rows: ~2 ms for page 1 and
~40 ms for page 100 (bench/README.md, "Issue 12: server time"). Collations and partial
indexes in this form are PostgreSQL's, so, like 0004 and 0007, it is made only there.
"""

from django.db import migrations

NAME = "product_showcase_idx"
COLUMNS = (
    'products_product (published_at DESC NULLS LAST, (name_th COLLATE "th-TH-x-icu"), id) '
    "WHERE status = 'published'"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {COLUMNS}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("products", "0007_upgrade_started_idx")]
    operations = [migrations.RunPython(create, drop)]
