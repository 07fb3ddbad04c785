"""The basket and review pages run a fixed, small number of queries, the same for one line as for
ten, with pictures, a site offer and a voucher applied, for a guest and for a signed-in shopper.

Guest basket: session, basket, its vouchers, the offers (site and voucher, with their rules and
ranges), the lines (with product, stock, picture and range membership). Signed in: the user too.
The review page reads the shipping address's country instead of nothing more.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import create_offer, create_voucher

from tests.factories import merch, product_image
from tests.shopping import add_to_basket, to_payment_step

pytestmark = pytest.mark.django_db

BUDGETS = {
    "guest": {"basket:summary": 5, "checkout:preview": 6},
    "customer": {"basket:summary": 6, "checkout:preview": 7},
}


@pytest.fixture
def discounts(db):
    create_offer(name="Summer drop")  # 20% off everything
    create_voucher(code="FAN")


def queries_per_page(client, lines: int, *, signed_in: bool) -> dict[str, int]:
    products = [merch(f"Budget Pin {lines}-{n}", price="10.00", stock=5) for n in range(lines)]
    for product in products:
        product_image(product)
    for product in products[1:]:
        add_to_basket(client, product)
    client.post(reverse("basket:vouchers-add"), {"code": "FAN"})
    to_payment_step(client, products[0], email=None if signed_in else "fan@example.com")
    seen = {}
    for name in ("basket:summary", "checkout:preview"):
        client.get(reverse(name))  # warm: the header's count, thumbnails' names
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert (
            response.context["basket"].offer_discounts
            or response.context["basket"].voucher_discounts
        ), "no discount was applied"
        seen[name] = len(queries)
    return seen


@pytest.mark.parametrize("shopper", ["guest", "customer"])
def test_basket_and_review_queries_do_not_grow_with_the_lines(
    shopper, discounts, django_user_model, stripe_sim
):
    clients = []
    for n in (1, 2):
        client = Client()
        if shopper == "customer":
            client.force_login(django_user_model.objects.create_user(f"fan{n}", f"f{n}@x.io", "x"))
        clients.append(client)

    one = queries_per_page(clients[0], 1, signed_in=shopper == "customer")
    ten = queries_per_page(clients[1], 10, signed_in=shopper == "customer")

    assert one == ten == BUDGETS[shopper]
