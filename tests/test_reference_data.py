"""Transactional tests keep the geography tables instead of reloading them (reference_data)."""

import json

import pytest
from django.core.management.color import no_style
from django.core.management.commands import flush
from django.db import connection

from entrepreneurs.models import Subdistrict
from products.models import Category

GEOGRAPHY_TABLES = ("entrepreneurs_province", "entrepreneurs_district", "entrepreneurs_subdistrict")


def flushed_tables():
    statements = flush.sql_flush(no_style(), connection, reset_sequences=False)
    return " ".join(statements)


@pytest.mark.django_db
def test_the_flush_after_a_transactional_test_leaves_geography():
    sql = flushed_tables()
    assert Category._meta.db_table in sql
    assert not [table for table in GEOGRAPHY_TABLES if table in sql]


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_restores_reference_data_but_geography():
    restored = {row["model"] for row in json.loads(connection._test_serialized_contents)}
    assert "products.category" in restored
    assert "accounts.privacynotice" in restored
    assert not {"entrepreneurs.province", "entrepreneurs.subdistrict"} & restored
    assert Subdistrict.objects.count() == 7436
    assert Category.objects.exists()
