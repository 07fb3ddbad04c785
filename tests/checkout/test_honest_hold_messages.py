"""The shopper hears "not charged" only when no hold exists; otherwise when it goes away.

A hold exists, unknown to the checkout, when Stripe's answer to the authorisation was lost, and
stays when cancelling a failed order's authorisation fails too. Reconciliation releases it within
PAYMENTS_ORPHAN_GRACE + 2 x PAYMENTS_RECONCILE_EVERY minutes (10 + 2 x 3 = 16 here).
"""

import pytest
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

RELEASED_LATER = "released automatically within 16 minutes"
NOT_CHARGED = "not been charged"


@pytest.fixture(autouse=True)
def _reconcile_timing(settings):
    settings.PAYMENTS_ORPHAN_GRACE = 10
    settings.PAYMENTS_RECONCILE_EVERY = 3


@pytest.fixture
def pin(db):
    return merch("Honest Fox Pin", price="15.00", stock=3)


def only_intent(stripe_sim) -> dict:
    (intent,) = stripe_sim.payment_intents.values()
    return intent


@pytest.fixture
def sold_out_after_authorising(pin, stripe_sim, monkeypatch):
    """A rival takes the stock while our card is authorised; `then` runs next (before the cancel)."""
    real_authorise = services.authorise
    then = []

    def authorise_then_a_rival_buys(attempt, **kwargs):
        outcome = real_authorise(attempt, **kwargs)
        StockRecord.objects.filter(product=pin).update(num_allocated=2)  # 1 left, we want 2
        for step in then:
            step()
        return outcome

    monkeypatch.setattr(services, "authorise", authorise_then_a_rival_buys)
    return then


def test_a_lost_reply_on_authorising_promises_no_more_than_the_truth(
    client, pin, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    token = card(sim_client)
    stripe_sim.fail_next(3, kind="timeout")  # Stripe authorised; every answer was lost

    page = place_order(client, token).content.decode()

    assert only_intent(stripe_sim)["status"] == "requires_capture"  # money is held
    assert NOT_CHARGED not in page
    assert RELEASED_LATER in page
    assert "check your e-mail before paying again" in page
    assert not Order.objects.exists()


def test_sold_out_and_the_cancel_failing_says_when_the_hold_goes(
    client, pin, stripe_sim, sim_client, sold_out_after_authorising
):
    to_payment_step(client, pin, quantity=2)
    sold_out_after_authorising.append(lambda: stripe_sim.fail_next(3, kind="connection"))

    page = place_order(client, card(sim_client)).content.decode()

    assert "sold out while you were paying" in page
    assert only_intent(stripe_sim)["status"] == "requires_capture"  # still held
    assert NOT_CHARGED not in page
    assert RELEASED_LATER in page


def test_sold_out_and_cancelled_says_not_charged(
    client, pin, stripe_sim, sim_client, sold_out_after_authorising
):
    to_payment_step(client, pin, quantity=2)

    page = place_order(client, card(sim_client)).content.decode()

    assert "sold out while you were paying" in page
    assert only_intent(stripe_sim)["status"] == "canceled"
    assert "You have not been charged" in page
    assert "released automatically" not in page


def test_a_failed_order_whose_cancel_fails_says_when_the_hold_goes(
    client, pin, stripe_sim, sim_client, monkeypatch
):
    to_payment_step(client, pin)

    def broken(*args, **kwargs):
        stripe_sim.fail_next(3, kind="server_error")  # and Stripe fails the cancel that follows
        raise RuntimeError("disk full")

    monkeypatch.setattr("oscar.apps.order.utils.OrderCreator.create_order_model", broken)
    page = place_order(client, card(sim_client)).content.decode()

    assert "Something went wrong while placing your order" in page
    assert only_intent(stripe_sim)["status"] == "requires_capture"
    assert NOT_CHARGED not in page
    assert RELEASED_LATER in page


def test_a_declined_card_says_not_charged(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)

    page = place_order(client, card(sim_client, "pm_card_chargeDeclined")).content.decode()

    assert "declined" in page
    assert "You have not been charged" in page
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.DECLINED
