"""With no webhook to say so (none configured, or its event lost), reconciliation still hands an
authorised payment with no order to the checkout, which places the order: what the shopper was
promised when Stripe's reply was lost."""

import pytest
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from shop.payments import reconcile
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _past_the_grace_period(settings):
    settings.PAYMENTS_ORPHAN_GRACE = 0


@pytest.fixture
def shopper(db):
    shopper = Client()
    to_payment_step(shopper, merch("Reconciled Fox Pin", price="12.00", stock=2))
    return shopper


def test_a_lost_reply_becomes_the_order_it_promised(shopper, stripe_sim, sim_client):
    token = card(sim_client)
    stripe_sim.fail_next(3, kind="timeout")  # Stripe authorised; every answer was lost
    page = place_order(shopper, token).content.decode()
    assert "we will still finish your order" in page

    counts = reconcile.reconcile()
    run_queued_tasks()  # the completion, which queues the confirmation
    run_queued_tasks()  # the confirmation

    assert counts["handed_over"] == 1 and counts["cancelled"] == 0
    order = Order.objects.get()
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    assert stripe_sim.payment_intents[intent_id]["status"] == "succeeded"
    assert [m.subject for m in mail.outbox if order.number in m.subject]


def test_3d_secure_passed_then_tab_closed_becomes_the_order(shopper, stripe_sim, sim_client):
    place_order(shopper, card(sim_client, "pm_card_authenticationRequired"))
    attempt = PaymentAttempt.objects.get()
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)  # ...and the tab is closed

    counts = reconcile.reconcile()
    run_queued_tasks()

    assert counts["handed_over"] == 1 and counts["cancelled"] == 0
    assert Order.objects.get().number == attempt.order_number
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "succeeded"
