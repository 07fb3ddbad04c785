"""The dashboard's order page carries the refund, cancel and dispatch forms at once: each field has
an id of its own, so every label names its own input (screen readers, browser journeys)."""

import re
from collections import Counter

import pytest
from django.test import Client
from oscar.core.loading import get_model

from tests.factories import merch
from tests.orders import order_page
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def test_every_id_on_a_paid_orders_page_is_unique(staff_client, stripe_sim, sim_client):
    to_payment_step(Client(), merch("Unique Ids Pin", price="12.00", stock=3))
    shopper = Client()
    to_payment_step(shopper, merch("Unique Ids Keychain", price="8.00", stock=3))
    place_order(shopper, card(sim_client))
    order = Order.objects.get()

    page = staff_client.get(order_page(order)).content.decode()

    for form in ("refund_payment_form", "cancel_order_form", "dispatch_order_form"):
        assert f'id="{form}"' in page
    repeated = {
        name: n for name, n in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if n > 1
    }
    assert repeated == {}
    assert page.count('for="id_cancel_reason"') == 1 and page.count('for="id_reason"') == 1
