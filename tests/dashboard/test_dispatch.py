"""Dispatching an order from the dashboard's order page: all of it or some lines, with a carrier
and tracking number; stock leaves the shelf, statuses move, and nothing is sent twice."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.order.models import Shipment
from tests.factories import merch
from tests.orders import dispatch_form, order_page, paid_order

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pins():
    return merch("Sleepy Fox Spirit Enamel Pin", stock=10), merch("Moon Rabbit Keychain", stock=5)


def counts(product) -> tuple[int, int]:
    record = StockRecord.objects.get(product=product)
    return record.num_in_stock, record.num_allocated


def messages_of(page) -> list[str]:
    return [str(message) for message in page.context["messages"]]


def test_dispatching_everything_consumes_the_stock_and_marks_the_order_dispatched(
    staff_client, pins
):
    fox, rabbit = pins
    order = paid_order((fox, 2), (rabbit, 1))
    assert counts(fox) == (10, 2)

    page = staff_client.post(order_page(order), dispatch_form(order), follow=True)

    assert page.redirect_chain == [(order_page(order) + "#shipping", 302)]
    assert "Dispatched by USPS, tracking number 9400100000000000000001" in messages_of(page)[0]
    order.refresh_from_db()
    assert order.status == pipeline.DISPATCHED
    assert {line.status for line in order.lines.all()} == {pipeline.DISPATCHED}
    assert counts(fox) == (8, 0) and counts(rabbit) == (4, 0)
    shipment = Shipment.objects.get()
    assert shipment.tracking_url == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001"
    )
    assert sorted(
        (each.line.title, each.quantity) for each in shipment.event.line_quantities.all()
    ) == [("Moon Rabbit Keychain", 1), ("Sleepy Fox Spirit Enamel Pin", 2)]
    assert shipment.event.event_type.name == pipeline.DISPATCHED
    # The page shows the parcel and offers no second dispatch.
    assert "9400100000000000000001" in page.content.decode()
    assert "dispatch_order_form" not in page.content.decode()


def test_dispatching_some_lines_leaves_the_order_partially_dispatched_until_the_rest_goes(
    staff_client, pins
):
    fox, rabbit = pins
    order = paid_order((fox, 3), (rabbit, 1))
    fox_line = order.lines.get(product=fox)
    rabbit_line = order.lines.get(product=rabbit)

    staff_client.post(
        order_page(order),
        dispatch_form(order, **{f"quantity_{fox_line.pk}": 1, f"quantity_{rabbit_line.pk}": 0}),
    )

    order.refresh_from_db()
    fox_line.refresh_from_db()
    rabbit_line.refresh_from_db()
    assert order.status == pipeline.PARTIALLY_DISPATCHED
    assert (fox_line.status, rabbit_line.status) == (pipeline.PAID, pipeline.PAID)
    assert counts(fox) == (9, 2) and counts(rabbit) == (5, 1)

    page = staff_client.get(order_page(order))
    form = page.context["dispatch_form"]
    assert form.fields[f"quantity_{fox_line.pk}"].initial == 2

    staff_client.post(order_page(order), dispatch_form(order, carrier="dhl", tracking="JD0123456"))

    order.refresh_from_db()
    assert order.status == pipeline.DISPATCHED
    assert counts(fox) == (7, 0) and counts(rabbit) == (4, 0)
    assert [s.get_carrier_display() for s in Shipment.objects.all()] == ["USPS", "DHL"]


def test_more_than_is_left_is_refused_and_changes_nothing(staff_client, pins):
    fox, _rabbit = pins
    order = paid_order((fox, 2))
    line = order.lines.get()

    page = staff_client.post(
        order_page(order), dispatch_form(order, **{f"quantity_{line.pk}": 3}), follow=True
    )

    assert "Nothing dispatched" in messages_of(page)[0]
    order.refresh_from_db()
    assert order.status == pipeline.PAID and not Shipment.objects.exists()
    assert counts(fox) == (10, 2)


@pytest.mark.parametrize(
    ("tracking", "carrier"),
    [("12345", "usps"), ("AB-12345678", "ups"), ("x" * 41, "fedex"), ("1Z999AA10123456784", "ufo")],
)
def test_a_bad_tracking_number_or_carrier_is_refused_with_a_message(
    staff_client, pins, tracking, carrier
):
    order = paid_order((pins[0], 1))

    page = staff_client.post(
        order_page(order), dispatch_form(order, carrier=carrier, tracking=tracking), follow=True
    )

    assert page.status_code == 200
    assert "Nothing dispatched" in messages_of(page)[0]
    assert not Shipment.objects.exists()
    order.refresh_from_db()
    assert order.status == pipeline.PAID


def test_the_tracking_number_is_kept_without_spaces_in_capitals(staff_client, pins):
    order = paid_order((pins[0], 1))

    staff_client.post(
        order_page(order), dispatch_form(order, carrier="royal-mail", tracking=" ab 1234 5678 9gb ")
    )

    shipment = Shipment.objects.get()
    assert shipment.tracking_number == "AB123456789GB"
    assert shipment.tracking_url.endswith("/tracking-results/AB123456789GB")


def test_other_carriers_have_no_tracking_link(staff_client, pins):
    order = paid_order((pins[0], 1))
    staff_client.post(order_page(order), dispatch_form(order, carrier="other", tracking="LOCAL123"))
    assert Shipment.objects.get().tracking_url == ""


def test_the_same_form_posted_twice_dispatches_once(staff_client, pins):
    fox, _rabbit = pins
    order = paid_order((fox, 3))
    line = order.lines.get()
    form = dispatch_form(order, **{f"quantity_{line.pk}": 1})

    staff_client.post(order_page(order), form)
    staff_client.post(order_page(order), form)

    assert Shipment.objects.count() == 1
    assert counts(fox) == (9, 2)


def test_an_order_already_dispatched_is_not_dispatched_again(staff_client, pins):
    order = paid_order((pins[0], 1))
    first = dispatch_form(order)
    staff_client.post(order_page(order), first)

    page = staff_client.post(
        order_page(order), first | {"request_key": "another-click"}, follow=True
    )

    assert "already been dispatched" in messages_of(page)[-1]
    assert Shipment.objects.count() == 1
    assert counts(pins[0]) == (9, 0)


@pytest.mark.parametrize("status", [pipeline.PENDING_PAYMENT, pipeline.CANCELLED])
def test_unpaid_or_cancelled_orders_offer_no_dispatch_and_refuse_one(staff_client, pins, status):
    order = paid_order((pins[0], 1))
    form = dispatch_form(order)
    Order.objects.filter(pk=order.pk).update(status=status)

    assert "dispatch_form" not in staff_client.get(order_page(order)).context
    page = staff_client.post(order_page(order), form, follow=True)

    assert "Nothing dispatched" in messages_of(page)[0]
    assert not Shipment.objects.exists()


def test_the_order_page_runs_a_fixed_number_of_queries_whatever_the_shipments(staff_client, pins):
    fox, rabbit = pins
    order = paid_order((fox, 3), (rabbit, 2))
    lines = list(order.lines.order_by("pk"))
    staff_client.post(
        order_page(order),
        dispatch_form(order, **{f"quantity_{lines[0].pk}": 1, f"quantity_{lines[1].pk}": 0}),
    )
    staff_client.get(order_page(order))  # warm: sessions, sites, content types
    with CaptureQueriesContext(connection) as one:
        staff_client.get(order_page(order))
    staff_client.post(
        order_page(order),
        dispatch_form(order, **{f"quantity_{lines[0].pk}": 1, f"quantity_{lines[1].pk}": 1}),
    )
    with CaptureQueriesContext(connection) as two:
        staff_client.get(order_page(order))
    assert len(one) == len(two)
