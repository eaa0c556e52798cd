"""Price and sales uplift of upgrade records, computed in SQL for reports and the dashboard."""

from decimal import Decimal

import pytest

from products.models import UpgradeRecord, percent_change
from tests.factories import ProductFactory, UpgradeRecordFactory

pytestmark = pytest.mark.django_db
D = Decimal


def record(**fields):
    return UpgradeRecordFactory(product=ProductFactory(), **fields)


def test_with_uplift_annotates_the_percent_change_of_price_and_sales():
    up = record(
        price_before=D("120"),
        price_after=D("180"),
        monthly_sales_before=D("10000"),
        monthly_sales_after=D("12500"),
    )
    down = record(price_before=D("300"), price_after=D("200"))
    row = UpgradeRecord.objects.with_uplift().get(pk=up.pk)
    assert row.price_uplift == D("50.0")
    assert row.sales_uplift == D("25.0")
    row = UpgradeRecord.objects.with_uplift().get(pk=down.pk)
    # Rounded as the product page rounds it (percent_change).
    assert row.price_uplift == percent_change(D("300"), D("200")) == D("-33.3")
    assert row.sales_uplift is None


@pytest.mark.parametrize(
    ("before", "after"),
    [(None, D("100")), (D("0"), D("100")), (D("100"), None)],
)
def test_with_uplift_is_none_when_before_is_missing_or_zero(before, after):
    upgrade = record(price_before=before, price_after=after)
    assert UpgradeRecord.objects.with_uplift().get(pk=upgrade.pk).price_uplift is None


def test_with_uplift_can_be_streamed_and_filtered():
    record(price_before=D("100"), price_after=D("150"))
    record(price_before=D("100"), price_after=D("90"))
    rows = UpgradeRecord.objects.with_uplift().filter(price_uplift__gt=0).iterator(chunk_size=1)
    assert [r.price_uplift for r in rows] == [D("50.0")]


def test_uplift_summary_counts_priced_records_and_sums_sales_known_before_and_after():
    record(
        price_before=D("100"),
        price_after=D("150"),
        monthly_sales_before=D("1000"),
        monthly_sales_after=D("1500"),
    )
    record(
        price_before=D("200"),
        price_after=D("180"),
        monthly_sales_before=D("3000"),
        monthly_sales_after=D("4500"),
    )
    # No price before: left out of the price mean; sales only after: left out of the sums.
    record(price_before=None, price_after=D("99"), monthly_sales_after=D("7777"))
    record(price_before=D("0"), price_after=D("50"))
    summary = UpgradeRecord.objects.uplift_summary()
    assert summary["priced"] == 2
    assert summary["mean_price_uplift"] == D("20.0")  # (50 + -10) / 2
    assert summary["with_sales"] == 2
    assert summary["sales_before"] == D("4000.00")
    assert summary["sales_after"] == D("6000.00")
    assert summary["sales_uplift"] == D("50.0")


def test_uplift_summary_of_nothing_is_empty_not_an_error():
    record(price_before=None, price_after=None)
    summary = UpgradeRecord.objects.filter(pk__lt=0).uplift_summary()
    assert summary["priced"] == 0
    assert summary["mean_price_uplift"] is None
    assert summary["sales_before"] == D("0.00")
    assert summary["sales_uplift"] is None


def test_uplift_summary_follows_the_queryset_filter(django_assert_num_queries):
    record(price_before=D("100"), price_after=D("200"), area="design")
    record(price_before=D("100"), price_after=D("100"), area="standards")
    with django_assert_num_queries(1):
        summary = UpgradeRecord.objects.filter(area="design").uplift_summary()
    assert summary["priced"] == 1
    assert summary["mean_price_uplift"] == D("100.0")
