"""Stripe's "money held" webhook often arrives while "Place order" is still writing the order it
paid for: the webhook waits for that request's basket lock, briefly, before anything is stored,
and finding the order placed answers with nothing stored and nothing queued, where it used to
queue a look two minutes later for nearly every order, then store the event in a transaction of
its own. A checkout still running after the wait leaves the later look, as before. PostgreSQL
only: SQLite has no row locks to wait for."""

import threading
import time

from django.db import connection, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult
from oscar.core.loading import get_model

from shop.payments import services, webhooks
from shop.payments.models import PaymentAttempt, WebhookEvent
from tests.checkout.test_closed_tab_orders import COMPLETE, authorised_webhook, held
from tests.factories import merch
from tests.races import on_postgresql_with_commits
from tests.shopping import card, place_order, to_payment_step

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")

pytestmark = on_postgresql_with_commits


def waiting_on_a_lock(timeout: float = 10.0) -> bool:
    """Whether another session of this database is waiting for a row lock, within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction the statistics views keep their first answer: ask afresh.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


class InBackground(threading.Thread):
    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.result = call, None

    def run(self):
        try:
            self.result = self.call()
        finally:
            connection.close()


def test_the_webhook_during_the_order_writes_waits_for_it_and_queues_nothing(
    stripe_sim, sim_client, monkeypatch
):
    shopper = Client()
    to_payment_step(shopper, merch("Busy Writer Pin", price="10.00", stock=5))
    token = card(sim_client)
    webhooks, seen_waiting = [], []
    record_authorisation = services.record_authorisation

    def stripe_tells_us_meanwhile(attempt, order):
        record_authorisation(attempt, order)  # the order is written, not yet committed
        webhook = InBackground(lambda: authorised_webhook(stripe_sim, attempt.payment_intent_id))
        webhook.start()
        webhooks.append(webhook)
        seen_waiting.append(waiting_on_a_lock())

    monkeypatch.setattr(services, "record_authorisation", stripe_tells_us_meanwhile)
    placed = place_order(shopper, token)
    (webhook,) = webhooks
    webhook.join(timeout=10)

    assert placed.status_code == 302
    assert seen_waiting == [True]
    assert webhook.result.status_code == 200
    assert webhook.result.content == b"Already recorded."
    attempt = PaymentAttempt.objects.get()
    assert attempt.order == Order.objects.get()
    assert not DBTaskResult.objects.filter(task_path=COMPLETE).exists()
    assert not WebhookEvent.objects.exists()


def test_a_checkout_still_running_after_the_wait_is_looked_at_again_later(
    stripe_sim, sim_client, monkeypatch
):
    monkeypatch.setattr(webhooks, "CHECKOUT_WAIT", 0.2)
    basket = Basket.objects.create()
    intent = held(
        sim_client,
        {"order_number": "1002", "attempt": "still-placing", "basket_id": str(basket.pk)},
    )
    release = threading.Event()

    def place_order_that_hangs():
        with transaction.atomic():
            Basket.objects.select_for_update().get(pk=basket.pk)
            release.wait(timeout=10)

    checkout = InBackground(place_order_that_hangs)
    checkout.start()
    assert waiting_on_a_lock(timeout=0.5) is False  # it holds the lock; no one waits yet
    started = time.monotonic()
    authorised_webhook(stripe_sim, intent.id)
    waited = time.monotonic() - started
    release.set()
    checkout.join(timeout=10)

    assert 0.2 <= waited < 2
    (later,) = DBTaskResult.objects.filter(task_path=COMPLETE)
    assert later.run_after > later.enqueued_at
    # Not settled by the wait: stored and handed over, as before.
    assert WebhookEvent.objects.filter(payment_intent_id=intent.id).count() == 1
