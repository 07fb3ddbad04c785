"""Order statuses change only along shop/order/pipeline.py, and lines follow their order."""

import pytest
from oscar.apps.order.exceptions import InvalidOrderStatus
from oscar.test.factories import create_order

from shop.order import pipeline

pytestmark = pytest.mark.django_db


def test_an_unpaid_order_cannot_be_dispatched_and_a_dispatched_one_not_cancelled():
    order = create_order()
    assert order.status == pipeline.PENDING_PAYMENT

    with pytest.raises(InvalidOrderStatus):
        order.set_status(pipeline.DISPATCHED)
    order.set_status(pipeline.PAID)
    order.set_status(pipeline.DISPATCHED)
    with pytest.raises(InvalidOrderStatus):
        order.set_status(pipeline.CANCELLED)

    order.refresh_from_db()
    assert order.status == pipeline.DISPATCHED
    assert {line.status for line in order.lines.all()} == {pipeline.DISPATCHED}


def test_a_partial_dispatch_leaves_the_lines_to_say_which_went():
    order = create_order()
    order.set_status(pipeline.PAID)
    order.set_status(pipeline.PARTIALLY_DISPATCHED)
    assert {line.status for line in order.lines.all()} == {pipeline.PAID}
    assert list(order.available_statuses()) == [pipeline.DISPATCHED, pipeline.REFUNDED]
