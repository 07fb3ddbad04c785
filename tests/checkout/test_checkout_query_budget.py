"""The basket and checkout pages run the same number of queries for one line as for six."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import merch
from tests.shopping import add_to_basket, card, place_order, to_payment_step

PAGES = ["basket:summary", "checkout:shipping-method", "checkout:preview", "checkout:thank-you"]


def counts(client, sim_client, lines: int) -> dict[str, int]:
    products = [merch(f"Budget Pin {lines}-{n}", price="10.00", stock=5) for n in range(lines)]
    for product in products[1:]:
        add_to_basket(client, product)
    to_payment_step(client, products[0])
    seen = {}
    for name in PAGES:
        if name == "checkout:thank-you":
            place_order(client, card(sim_client))
        client.get(reverse(name))  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200, name
        seen[name] = len(queries)
    return seen


@pytest.mark.django_db
def test_checkout_pages_do_not_grow_with_the_basket(client, stripe_sim, sim_client):
    one = counts(client, sim_client, 1)
    from django.test import Client

    six = counts(Client(), sim_client, 6)

    assert one == six
    # Oscar's stock basket ran three more queries per line (stock records, product class).
    assert max(one.values()) <= 14, one
    # The review page reads the basket's vouchers once, for both its check and its fingerprint.
    assert one["checkout:preview"] <= 12, one
