"""Indexes for the officers' enterprise list sorted by district (PostgreSQL only).

Plan at 50,000 enterprises (bench/pages.py, "officer: enterprises, by district"): the
page's ids were a Hash Join of every enterprise with its district and a top-N heapsort
of all 50,000 rows by the district's Thai name, 34 ms. With the districts indexed by
their collated name and the enterprises by (district, collated name, id), PostgreSQL
walks the districts in order, reads each one's enterprises from the second index and
finishes the sort per district (Incremental Sort, presorted key: the district's name):
0.2 ms for the first page. Like 0004 they are made only on PostgreSQL.
"""

from django.db import migrations

INDEXES = [
    (
        "district_name_th_idx",
        'entrepreneurs_district ((name_th COLLATE "th-TH-x-icu"), code)',
    ),
    (
        "enterprise_district_name_idx",
        'entrepreneurs_enterprise (district_id, (name_th COLLATE "th-TH-x-icu"), id)',
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
    dependencies = [("entrepreneurs", "0006_member_thai_name_order")]
    operations = [migrations.RunPython(create, drop)]
