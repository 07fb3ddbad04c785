"""Low-stock alerts (Oscar's dashboard list) follow stock records; an order's hold of units only
looks at them when it takes the record below its threshold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.order.utils import allocate
from tests.factories import merch

StockAlert = get_model("partner", "StockAlert")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def record_of(product, *, threshold):
    record = StockRecord.objects.get(product=product)
    record.low_stock_threshold = threshold
    record.save()
    return StockRecord.objects.get(pk=record.pk)


def test_a_hold_that_takes_the_record_below_its_threshold_opens_an_alert():
    record = record_of(merch("Alert Pin", price="10.00", stock=5), threshold=3)

    allocate(record, 3)

    alert = StockAlert.objects.get(stockrecord=record)
    assert (alert.status, alert.threshold) == (StockAlert.OPEN, 3)


def test_a_hold_that_stays_above_the_threshold_opens_none_and_reads_no_alerts():
    record = record_of(merch("Calm Pin", price="10.00", stock=10), threshold=3)

    with CaptureQueriesContext(connection) as queries:
        allocate(record, 2)

    assert not StockAlert.objects.exists()
    assert not any("partner_stockalert" in q["sql"] for q in queries.captured_queries)
    assert StockRecord.objects.get(pk=record.pk).num_allocated == 2


def test_a_staff_edit_above_the_threshold_still_closes_the_open_alert():
    record = record_of(merch("Restocked Pin", price="10.00", stock=4), threshold=3)
    allocate(record, 2)
    assert StockAlert.objects.get(stockrecord=record).status == StockAlert.OPEN

    record.refresh_from_db()
    record.num_in_stock = 20
    record.save()

    assert StockAlert.objects.get(stockrecord=record).status == StockAlert.CLOSED
