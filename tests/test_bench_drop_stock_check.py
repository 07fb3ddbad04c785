"""`bench --drop` ends by checking the stock: nothing oversold, and every allocation made during
the run accounted for by an order line placed in it."""

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from shop.devtools.bench.drop import check_stock, stock_snapshot
from tests.factories import merch
from tests.orders import paid_order

StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin():
    return merch("Drop Day Pin", price="12.00", stock=5)


def test_orders_placed_during_the_run_reconcile_with_the_stock(pin):
    before, since = stock_snapshot(), timezone.now()

    paid_order((pin, 2))
    paid_order((pin, 1))

    assert check_stock(before=before, since=since) == []


def test_an_oversold_stock_record_is_reported(pin):
    before, since = stock_snapshot(), timezone.now()
    StockRecord.objects.filter(product=pin).update(num_allocated=6)  # 5 on hand

    problems = check_stock(before=before, since=since)

    assert any("Drop Day Pin" in p and "oversold, 6 allocated but 5 on hand" in p for p in problems)


def test_an_allocation_no_order_line_accounts_for_is_reported(pin):
    paid_order((pin, 1))
    before, since = stock_snapshot(), timezone.now()
    paid_order((pin, 1))
    StockRecord.objects.filter(product=pin).update(num_allocated=3)  # one unit too many

    (problem,) = check_stock(before=before, since=since)

    assert "3 allocated, expected 5 and 2" in problem
    assert "1 units in the orders since" in problem
