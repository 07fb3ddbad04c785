"""Order statuses change only along shop/order/pipeline.py, and lines follow their order."""

import pytest
from oscar.apps.order.exceptions import InvalidOrderStatus
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from shop.order import pipeline

Order = get_model("order", "Order")

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


def test_a_status_change_writes_only_the_status_over_what_changed_meanwhile():
    """The capture reads the order, then marks it paid: a correction saved in between (staff
    fixing a guest's e-mail) stays, where a save of every column would put the old one back."""
    order = create_order(guest_email="sakura@exmaple.com")
    read = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).update(guest_email="sakura@example.com")

    pipeline.change_status(read, pipeline.PAID)

    order.refresh_from_db()
    assert (order.status, order.guest_email) == (pipeline.PAID, "sakura@example.com")
    assert {line.status for line in order.lines.all()} == {pipeline.PAID}
