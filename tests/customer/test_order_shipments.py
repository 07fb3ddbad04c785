"""The customer's order page and the guest order-status page show each parcel with its tracking
link, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import UserFactory

from shop.order.fulfilment import dispatch
from tests.factories import merch
from tests.orders import paid_order

pytestmark = pytest.mark.django_db

TRACK = "https://www.fedex.com/fedextrack/?trknbr=123456789012"


@pytest.fixture
def pins():
    return merch("Sleepy Fox Spirit Enamel Pin", stock=10), merch("Moon Rabbit Keychain", stock=5)


@pytest.fixture
def guest(client):
    """The shopper who gave their e-mail on the order-status form."""
    session = client.session
    session["anon_order_email"] = "shopper@example.com"
    session.save()
    return client


def guest_page(order) -> str:
    return reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )


def test_the_customer_sees_each_parcel_with_its_tracking_link(client, pins):
    fox, rabbit = pins
    customer = UserFactory()
    order = paid_order((fox, 2), (rabbit, 1), user=customer)
    dispatch(
        order,
        carrier="fedex",
        tracking_number="1234 5678 9012",
        quantities={order.lines.get(product=fox).pk: 2},
    )
    client.force_login(customer)

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number}))

    content = page.content.decode()
    assert page.status_code == 200
    assert f'href="{TRACK}"' in content
    assert "2 &times; Sleepy Fox Spirit Enamel Pin" in content
    assert "Moon Rabbit Keychain" not in content.split("order-shipments")[1].split("</section>")[0]


def test_a_guest_sees_the_parcels_on_the_order_status_page(guest, pins):
    order = paid_order((pins[0], 1))
    dispatch(order, carrier="japan-post", tracking_number="EJ123456789JP")

    content = guest.get(guest_page(order)).content.decode()

    assert "EJ123456789JP" in content
    assert "trackings.post.japanpost.jp" in content and "Track parcel" in content


def test_nothing_is_shown_before_dispatch(guest, pins):
    order = paid_order((pins[0], 1))
    page = guest.get(guest_page(order))
    assert page.status_code == 200 and "order-shipments" not in page.content.decode()


def test_more_parcels_cost_no_more_queries_for_the_parcels(guest, pins):
    fox, _rabbit = pins
    order = paid_order((fox, 3))
    line = order.lines.get()
    dispatch(order, carrier="ups", tracking_number="1Z0000000001", quantities={line.pk: 1})
    guest.get(guest_page(order))
    with CaptureQueriesContext(connection) as one:
        guest.get(guest_page(order))
    dispatch(order, carrier="ups", tracking_number="1Z0000000002", quantities={line.pk: 1})
    guest.get(guest_page(order))  # the stock change ended cached parts of the page: warm again
    with CaptureQueriesContext(connection) as two:
        guest.get(guest_page(order))
    # (Oscar's own part of the page is the restyle's; the parcels' part is this partial's.)
    assert parcel_queries(one) == parcel_queries(two) == 2


def parcel_queries(captured) -> int:
    """The partial's queries: the parcels, and what is in them (Oscar's own line rows ask for
    their shipping status line by line: the restyle's part of the page)."""
    return sum(
        1
        for query in captured.captured_queries
        if 'FROM "order_shipment"' in query["sql"]
        or '"order_shippingeventquantity"."event_id" IN' in query["sql"]
    )
