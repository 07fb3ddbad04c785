"""A second request for the same basket that waited on the basket lock while the first paid.

The twin runs to the end just before the request under test takes the lock, as if the two had been
sent at once (a double click, a reloaded 3-D Secure return): the request under test must find the
basket submitted and land on the twin's order, or see that the twin used up the payment. On
PostgreSQL, tests/checkout/test_concurrency.py runs the same races with real threads.
"""

import copy

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.checkout import views
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, open_basket_id, place_order, to_payment_step

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Twin Tails Enamel Pin", price="12.50", stock=5)


@pytest.fixture
def twin_first(client, monkeypatch):
    """`twin_first(send)`: `send(tab)` runs once, in another tab of the same browser, just before
    the next request takes the basket lock; returns the list the twin's response goes into."""

    def arm(send):
        tab = Client()
        tab.cookies = copy.deepcopy(client.cookies)
        real = views.PaymentDetailsView.place_once
        pending = [send]
        responses = []

        def place_once(self, **kwargs):
            self.request.basket.pk  # noqa: B018 (loaded before the twin, as in a real race)
            if pending:
                responses.append(pending.pop()(tab))
            return real(self, **kwargs)

        monkeypatch.setattr(views.PaymentDetailsView, "place_once", place_once)
        return responses

    return arm


def requests_to(sim, method, suffix) -> int:
    return sum(1 for m, path, _key in sim.requests if m == method and path.endswith(suffix))


def back_from_3d_secure(client, sim, sim_client, *, succeed: bool) -> tuple[str, str]:
    """Pay with a card that asks for 3-D Secure, answer it; the intent and the return path."""
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    back = sim.authenticate(intent_id, succeed=succeed)
    return intent_id, "/" + back.split("://", 1)[1].split("/", 1)[1]


def test_a_twin_place_order_that_waited_lands_on_the_order_the_first_placed(
    client, pin, stripe_sim, sim_client, twin_first
):
    to_payment_step(client, pin)
    basket_id = open_basket_id(client)
    token = card(sim_client)
    twin = twin_first(lambda tab: place_order(tab, token, basket_id))

    response = place_order(client, token, basket_id)

    assert twin[0]["Location"] == reverse("checkout:thank-you")
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert client.get(response["Location"]).context["order"] == order
    assert requests_to(stripe_sim, "POST", "/v1/payment_intents") == 1
    assert requests_to(stripe_sim, "POST", "/capture") == 1
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.CAPTURED
    assert StockRecord.objects.get(product=pin).num_allocated == 1


def test_a_twin_3d_secure_return_that_waited_lands_on_the_order_the_first_placed(
    client, pin, stripe_sim, sim_client, twin_first
):
    to_payment_step(client, pin)
    intent_id, path = back_from_3d_secure(client, stripe_sim, sim_client, succeed=True)
    twin = twin_first(lambda tab: tab.get(path))

    response = client.get(path)

    assert twin[0]["Location"] == reverse("checkout:thank-you")
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert client.get(response["Location"]).context["order"] == order
    assert requests_to(stripe_sim, "GET", f"/v1/payment_intents/{intent_id}") == 1
    assert requests_to(stripe_sim, "POST", "/capture") == 1
    assert stripe_sim.payment_intents[intent_id]["status"] == "succeeded"
    assert StockRecord.objects.get(product=pin).num_allocated == 1


def test_a_twin_return_from_a_failed_3d_secure_goes_back_to_the_payment_page(
    client, pin, stripe_sim, sim_client, twin_first
):
    to_payment_step(client, pin)
    intent_id, path = back_from_3d_secure(client, stripe_sim, sim_client, succeed=False)
    twin = twin_first(lambda tab: tab.get(path))

    response = client.get(path)

    assert "unable to authenticate" in twin[0].content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:preview")
    assert not Order.objects.exists()
    # the twin read the payment back; the request that waited did not ask Stripe again
    assert requests_to(stripe_sim, "GET", f"/v1/payment_intents/{intent_id}") == 1
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.DECLINED
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1
