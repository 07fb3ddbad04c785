"""3-D Secure finished in a tab left open after the order was paid in another: that second hold is
released at once, and the shopper is shown the order they have."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_tab(client, stripe_sim, sim_client):
    """A guest started 3-D Secure in one tab, then paid with another card in a second tab and saw
    the thank-you page. Returns the first tab's PaymentIntent id, authenticated just now."""
    to_payment_step(client, merch("Two Tabs Pin", price="15.00", stock=3))
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    first = PaymentAttempt.objects.get()
    paid = place_order(client, card(sim_client))
    assert paid["Location"] == reverse("checkout:thank-you")
    client.get(paid["Location"])
    stripe_sim.authenticate(first.payment_intent_id, succeed=True)
    return first.payment_intent_id


def back_from_3d_secure(client, intent_id):
    return client.get(
        reverse("checkout:payment-return") + f"?payment_intent={intent_id}", follow=True
    )


def test_the_second_payment_is_cancelled_and_the_order_named(client, stripe_sim, second_tab):
    page = back_from_3d_secure(client, second_tab)

    order = Order.objects.get()
    assert stripe_sim.payment_intents[second_tab]["status"] == "canceled"
    assert page.redirect_chain[-1][0] == reverse("checkout:thank-you")
    text = page.content.decode()
    assert f"Your order {order.number} is placed" in text
    assert "This second payment was cancelled" in text
    assert PaymentAttempt.objects.get(payment_intent_id=second_tab).status == "cancelled"
    assert Order.objects.count() == 1


def test_a_second_payment_stripe_would_not_cancel_is_released_later(client, stripe_sim, second_tab):
    stripe_sim.fail_next(3, kind="connection")

    text = back_from_3d_secure(client, second_tab).content.decode()

    assert stripe_sim.payment_intents[second_tab]["status"] == "requires_capture"
    assert f"Your order {Order.objects.get().number} is placed" in text
    assert "released automatically within 25 minutes" in text
    assert "not been charged" not in text


def at_payment_step(client) -> Client:
    to_payment_step(client, merch("Stranger Pin", price="9.00", stock=3))
    return client


def test_a_strangers_return_touches_no_hold_and_claims_nothing(stripe_sim, second_tab):
    text = back_from_3d_secure(at_payment_step(Client()), second_tab).content.decode()

    assert stripe_sim.payment_intents[second_tab]["status"] == "requires_capture"
    assert "We could not find that payment." in text
    assert "not been charged" not in text


def test_an_unknown_payment_claims_nothing(client, stripe_sim):
    text = back_from_3d_secure(at_payment_step(client), "pi_unknown").content.decode()

    assert "We could not find that payment." in text
    assert "not been charged" not in text
