"""One order per payment when the browser's return from 3-D Secure, Stripe's webhook and the
worker's completions (the webhook's and reconciliation's) all arrive at once. PostgreSQL only:
SQLite has no row locks."""

import copy

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.checkout import unattended
from shop.payments.models import PaymentAttempt
from tests.checkout.test_closed_tab_orders import deliver
from tests.checkout.test_concurrency import at_once, requests_to
from tests.factories import merch
from tests.races import on_postgresql_with_commits
from tests.shopping import card, place_order, to_payment_step
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = on_postgresql_with_commits


@pytest.mark.parametrize("round_", range(3))  # a few interleavings, each started at once
def test_return_webhook_and_completions_at_once_make_one_order(stripe_sim, sim_client, round_):
    shopper = Client()
    pin = merch("Photo Finish Pin", price="10.00", stock=5)
    to_payment_step(shopper, pin, email="race@example.com")
    place_order(shopper, card(sim_client, "pm_card_authenticationRequired"))
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    back = stripe_sim.authenticate(intent_id, succeed=True)
    path = "/" + back.split("://", 1)[1].split("/", 1)[1]
    tab = Client()
    tab.cookies = copy.deepcopy(shopper.cookies)

    returned, webhook, *completed = at_once(
        [
            lambda: tab.get(path),
            lambda: deliver(stripe_sim, "payment_intent.amount_capturable_updated", intent_id),
            lambda: unattended.complete(intent_id),  # the webhook's task
            lambda: unattended.complete(intent_id),  # reconciliation's
        ]
    )
    run_queued_tasks()  # whatever the webhook queued, then the e-mail
    run_queued_tasks()

    order = Order.objects.get()
    assert returned["Location"] == reverse("checkout:thank-you")
    assert webhook.status_code == 200
    assert completed == [unattended.Completion.PLACED] * 2
    assert requests_to(stripe_sim, "POST", "/capture") == 1
    assert stripe_sim.payment_intents[intent_id]["status"] == "succeeded"
    assert StockRecord.objects.get(product=pin).num_allocated == 1
    assert PaymentAttempt.objects.get().order == order
    assert [m.to for m in mail.outbox] == [["race@example.com"]]
