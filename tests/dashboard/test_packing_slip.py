"""Printable packing slips (one order) and pick lists (many orders, summed by SKU): HTML with print
CSS, what is left to send, a fixed number of queries."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.order.fulfilment import dispatch
from tests.factories import merch
from tests.orders import paid_order

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pins():
    fox = merch("Sleepy Fox Spirit Enamel Pin", stock=50)
    rabbit = merch("Moon Rabbit Keychain", stock=50)
    StockRecord.objects.filter(product=fox).update(partner_sku="PIN-FOX")
    StockRecord.objects.filter(product=rabbit).update(partner_sku="KEY-RABBIT")
    return fox, rabbit


def slip_url(order) -> str:
    return reverse("dashboard:order-packing-slip", kwargs={"number": order.number})


def test_the_packing_slip_lists_what_is_left_to_pack_and_where_it_goes(staff_client, pins):
    fox, rabbit = pins
    order = paid_order((fox, 3), (rabbit, 1), first_name="Mika")
    dispatch(
        order,
        carrier="usps",
        tracking_number="9400100000000000000001",
        quantities={order.lines.get(product=fox).pk: 1},
    )

    page = staff_client.get(slip_url(order))

    assert page.status_code == 200
    content = page.content.decode()
    assert f"Packing slip, order #{order.number}" in content
    assert "Mika" in content
    rows = {item.line.title: (item.dispatched, item.left) for item in page.context["lines_left"]}
    assert rows == {"Sleepy Fox Spirit Enamel Pin": (1, 2), "Moon Rabbit Keychain": (0, 1)}
    assert "3 units to pack." in content
    assert 'data-action="print"' in content


def test_print_css_hides_the_dashboard_around_slips_and_lists():
    css = Path(finders.find("shop/css/dashboard.css")).read_text()
    print_rules = css.split("@media print")[-1]
    assert ".printable .navbar" in print_rules and ".printable .no-print" in print_rules


def test_the_pick_list_sums_units_to_pick_by_sku_for_the_selected_orders(staff_client, pins):
    fox, rabbit = pins
    first = paid_order((fox, 2), (rabbit, 1))
    second = paid_order((fox, 1))
    not_selected = paid_order((rabbit, 5))
    sent = paid_order((rabbit, 4))
    dispatch(sent, carrier="dhl", tracking_number="JD0000001")

    page = staff_client.post(
        reverse("dashboard:order-list"),
        {"action": "print_pick_list", "selected_order": [first.pk, second.pk, sent.pk]},
    )

    assert page.status_code == 200
    picks = [(pick["sku"], pick["title"], pick["quantity"]) for pick in page.context["picks"]]
    assert picks == [
        ("KEY-RABBIT", "Moon Rabbit Keychain", 1),
        ("PIN-FOX", "Sleepy Fox Spirit Enamel Pin", 3),
    ]
    content = page.content.decode()
    assert "4 units to pick." in content
    assert str(sent.number) in content.split("Not on the list")[1]
    assert f"{not_selected.number}" not in content.split("units to pick")[1]


def test_the_pick_list_follows_the_order_list_search(staff_client, pins):
    fox, rabbit = pins
    paid_order((fox, 2))
    cancelled = paid_order((rabbit, 1))
    Order.objects.filter(pk=cancelled.pk).update(status=pipeline.CANCELLED)

    page = staff_client.get(reverse("dashboard:order-pick-list"), {"status": pipeline.PAID})

    assert page.status_code == 200
    assert [pick["sku"] for pick in page.context["picks"]] == ["PIN-FOX"]


def queries(client, url, **params) -> int:
    client.get(url, params)  # warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_slip_and_pick_list_run_a_fixed_number_of_queries(staff_client, pins):
    fox, rabbit = pins
    small = paid_order((fox, 1))
    for _ in range(2):
        paid_order((fox, 1))
    pick_list = reverse("dashboard:order-pick-list")
    few = queries(staff_client, pick_list), queries(staff_client, slip_url(small))

    big = paid_order(*[(merch(f"Pin {n}", stock=5), 1) for n in range(6)], (rabbit, 2))
    for _ in range(6):
        paid_order((rabbit, 1), (fox, 1))
    many = queries(staff_client, pick_list), queries(staff_client, slip_url(big))

    assert few == many
