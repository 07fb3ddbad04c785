"""The basket and review pages run a fixed, small number of queries, the same for one line as for
ten, with pictures, a site offer and a voucher applied, for a guest and for a signed-in shopper.

Guest basket: session, basket (and whether it holds a voucher), its vouchers, their offers (with
their rules and ranges), the lines (with product, stock, picture and range membership); the site
offers come from the cache. Without a voucher, neither the vouchers nor their offers are asked
for. Signed in: the user too. The review page reads the shipping address's country too.
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
WITHOUT_VOUCHER = {
    "guest": {"basket:summary": 3, "checkout:preview": 4},
    "customer": {"basket:summary": 4, "checkout:preview": 5},
}


@pytest.fixture
def discounts(db):
    # 20% off everything, twice: neither offer keeps the other off the lines.
    create_offer(name="Summer drop").__class__.objects.update(exclusive=False)
    voucher = create_voucher(code="FAN")
    voucher.offers.update(exclusive=False)


def queries_per_page(client, lines: int, *, signed_in: bool, voucher: bool = True) -> dict:
    products = [merch(f"Budget Pin {lines}-{n}", price="10.00", stock=5) for n in range(lines)]
    for product in products:
        product_image(product)
    for product in products:
        add_to_basket(client, product)
    if voucher:  # a voucher that takes nothing off an empty basket is not kept
        client.post(reverse("basket:vouchers-add"), {"code": "FAN"})
    to_payment_step(client, email=None if signed_in else "fan@example.com")
    seen = {}
    for name in ("basket:summary", "checkout:preview"):
        client.get(reverse(name))  # warm: the header's count, thumbnails' names
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200, name
        basket = response.context["basket"]
        assert basket.offer_discounts, "the site offer was not applied"
        assert bool(basket.voucher_discounts) == voucher, "the voucher was not applied"
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


@pytest.mark.parametrize("shopper", ["guest", "customer"])
def test_a_basket_without_a_voucher_asks_for_no_vouchers_or_offers(
    shopper, discounts, django_user_model, stripe_sim
):
    client = Client()
    if shopper == "customer":
        client.force_login(django_user_model.objects.create_user("fan", "f@x.io", "x"))

    seen = queries_per_page(client, 2, signed_in=shopper == "customer", voucher=False)

    assert seen == WITHOUT_VOUCHER[shopper]
