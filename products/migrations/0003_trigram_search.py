"""Trigram GIN index for Thai substring search of products (PostgreSQL only)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS product_search_trgm ON products_product "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0002_reference_data"),
        ("entrepreneurs", "0003_trigram_search"),
    ]
    operations = [migrations.RunPython(create, drop)]
