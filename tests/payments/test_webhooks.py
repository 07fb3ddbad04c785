"""Stripe's webhook: signed, processed once, reconciling (never creating) orders."""

import json
import re
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.payments import webhooks
from shop.payments.models import PaymentAttempt, Refund, WebhookEvent
from tests.factories import merch
from tests.shopping import card, place_order, placed_uncaptured, to_payment_step

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")

URL = "/payments/stripe/webhook/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(stripe_sim, sim_client):
    shopper = Client()
    to_payment_step(shopper, merch("Prism Heart Pin", price="20.00", stock=5))
    place_order(shopper, card(sim_client))
    return Order.objects.get()


def deliver(client, sim, event, *, payload=None, header=None):
    body, signature = sim.webhook_request(event)
    return client.post(
        URL,
        data=payload if payload is not None else body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header if header is not None else signature,
    )


def last(sim, event_type):
    return [event for event in sim.events if event["type"] == event_type][-1]


def test_a_refund_made_in_stripes_dashboard_is_recorded_once(client, stripe_sim, paid_order):
    intent_id = paid_order.sources.get().reference
    refund = stripe_sim.dashboard_refund(intent_id, amount=500)

    for event in (last(stripe_sim, "refund.created"), last(stripe_sim, "charge.refunded")):
        assert deliver(client, stripe_sim, event).status_code == 200
    assert deliver(client, stripe_sim, last(stripe_sim, "charge.refunded")).status_code == 200

    recorded = Refund.objects.get()
    assert recorded.refund_id == refund["id"]
    assert recorded.amount == Decimal("5.00")
    assert recorded.created_by is None
    assert paid_order.sources.get().amount_refunded == Decimal("5.00")
    assert paid_order.payment_events.filter(event_type__name="Refunded").count() == 1
    assert WebhookEvent.objects.count() == 2


def test_the_same_event_delivered_twice_is_processed_once(client, stripe_sim, paid_order):
    stripe_sim.dashboard_refund(paid_order.sources.get().reference)
    event = last(stripe_sim, "charge.refunded")

    first = deliver(client, stripe_sim, event)
    second = deliver(client, stripe_sim, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert Refund.objects.count() == 1
    assert paid_order.sources.get().amount_refunded == paid_order.total_incl_tax


@pytest.mark.parametrize("tamper", ["missing", "wrong secret", "body changed", "stale"])
def test_unsigned_or_tampered_events_are_refused(client, stripe_sim, paid_order, tamper):
    stripe_sim.dashboard_refund(paid_order.sources.get().reference)
    event = last(stripe_sim, "charge.refunded")
    body, header = stripe_sim.webhook_request(event)
    if tamper == "missing":
        header = ""
    elif tamper == "wrong secret":
        header = stripe_sim.sign(body, secret="whsec_someone_else")
    elif tamper == "body changed":
        changed = json.loads(body)
        changed["data"]["object"]["amount_refunded"] = 1
        body = json.dumps(changed).encode()
    elif tamper == "stale":
        header = stripe_sim.sign(body, timestamp=int(time.time()) - 3600)

    response = client.post(
        URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert not Refund.objects.exists()


def test_a_handler_failure_rolls_back_so_stripes_retry_works(
    client, stripe_sim, paid_order, monkeypatch
):
    stripe_sim.dashboard_refund(paid_order.sources.get().reference, amount=700)
    event = last(stripe_sim, "refund.created")

    def broken(obj, intent_id):
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(webhooks.HANDLERS, "refund.created", broken)
    assert deliver(client, stripe_sim, event).status_code == 500
    assert not WebhookEvent.objects.exists()

    monkeypatch.undo()
    assert deliver(client, stripe_sim, event).status_code == 200
    assert Refund.objects.get().amount == Decimal("7.00")


def test_a_dispute_is_flagged_for_staff(client, stripe_sim, paid_order):
    stripe_sim.open_dispute(paid_order.sources.get().reference, reason="fraudulent")

    assert (
        deliver(client, stripe_sim, last(stripe_sim, "charge.dispute.created")).status_code == 200
    )

    note = OrderNote.objects.get(order=paid_order)
    assert "DISPUTE" in note.message and "fraudulent" in note.message
    assert paid_order.payment_events.filter(event_type__name="Dispute opened").exists()


def test_events_never_create_orders(client, stripe_sim, sim_client):
    intent = sim_client.v1.payment_intents.create(
        {
            "amount": 1500,
            "currency": "usd",
            "capture_method": "automatic",
            "confirm": True,
            "confirmation_token": card(sim_client),
            "metadata": {"order_number": "100999"},
        }
    )
    assert intent.status == "succeeded"
    for event in list(stripe_sim.events):
        assert deliver(client, stripe_sim, event).status_code == 200
    assert not Order.objects.exists()


def test_the_capture_event_reconciles_an_order_whose_capture_reply_was_lost(
    client, stripe_sim, sim_client, monkeypatch
):
    attempt = placed_uncaptured(
        sim_client, monkeypatch, merch("Lost Reply Pin", price="9.00", stock=2)
    )

    sim_client.v1.payment_intents.capture(attempt.payment_intent_id)  # it did happen at Stripe
    assert (
        deliver(client, stripe_sim, last(stripe_sim, "payment_intent.succeeded")).status_code == 200
    )

    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CAPTURED
    assert attempt.order.sources.get().amount_debited == Decimal("13.50")


def test_an_authorisation_cancelled_in_stripe_warns_staff(
    client, stripe_sim, sim_client, monkeypatch
):
    attempt = placed_uncaptured(
        sim_client, monkeypatch, merch("Cancelled Pin", price="9.00", stock=2)
    )

    sim_client.v1.payment_intents.cancel(attempt.payment_intent_id)
    assert (
        deliver(client, stripe_sim, last(stripe_sim, "payment_intent.canceled")).status_code == 200
    )

    assert "NOT paid" in OrderNote.objects.get(order=attempt.order).message


def test_an_event_the_shop_does_not_act_on_is_answered_without_touching_the_database(
    client, stripe_sim, paid_order, django_assert_num_queries
):
    created = last(stripe_sim, "payment_intent.created")

    with django_assert_num_queries(0):
        response = deliver(client, stripe_sim, created)

    assert response.status_code == 200
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "event_type", ["payment_intent.amount_capturable_updated", "payment_intent.succeeded"]
)
def test_an_event_reporting_what_the_checkout_recorded_is_answered_after_one_read(
    client, stripe_sim, paid_order, event_type
):
    event = last(stripe_sim, event_type)
    events_before = paid_order.payment_events.count()

    # The hold is the order's and the capture recorded: the attempt, read once, says so. No
    # transaction, no lock, no record of the event.
    with CaptureQueriesContext(connection) as queries:
        response = deliver(client, stripe_sim, event)
    statements = [q["sql"] for q in queries.captured_queries]
    assert [sql.split()[0] for sql in statements] == ["SELECT"]
    assert PaymentAttempt._meta.db_table in statements[0]
    assert "FOR UPDATE" not in statements[0]
    # The attempt alone: the order's forty columns are read only by a handler that writes on it.
    assert Order._meta.db_table not in statements[0]

    assert response.status_code == 200
    assert not WebhookEvent.objects.exists()
    assert paid_order.payment_events.count() == events_before
    assert paid_order.sources.get().amount_debited == paid_order.total_incl_tax
    assert deliver(client, stripe_sim, event).status_code == 200  # and again, the same
    assert paid_order.payment_events.count() == events_before


def test_an_event_with_something_to_record_is_stored_in_its_own_transaction(
    client, stripe_sim, sim_client, monkeypatch
):
    attempt = placed_uncaptured(
        sim_client, monkeypatch, merch("Late Capture Pin", price="9.00", stock=2)
    )
    sim_client.v1.payment_intents.capture(attempt.payment_intent_id)
    succeeded = last(stripe_sim, "payment_intent.succeeded")

    with CaptureQueriesContext(connection) as queries:
        assert deliver(client, stripe_sim, succeeded).status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    # The look outside, then the event's own transaction (a savepoint inside the test's), which
    # stores it first: a redelivery is told by the INSERT that stores nothing, not by an error
    # rolled back.
    assert statements[0].startswith("SELECT") and statements[1].startswith("SAVEPOINT")
    assert statements[2].startswith(f'INSERT INTO "{WebhookEvent._meta.db_table}"')
    assert not any(sql.startswith("ROLLBACK") for sql in statements)
    assert WebhookEvent.objects.filter(event_id=succeeded["id"]).count() == 1

    assert deliver(client, stripe_sim, succeeded).status_code == 200  # now recorded: one read
    assert WebhookEvent.objects.count() == 1
    attempt.refresh_from_db()
    assert attempt.order.sources.get().amount_debited == Decimal("13.50")
    assert attempt.order.payment_events.filter(event_type__name="Captured").count() == 1


@pytest.mark.parametrize("body", [b"[]", b'{"object": "event"}', b'{"object": "event", "id": 1}'])
def test_a_signed_body_that_is_not_an_event_is_refused(client, stripe_sim, body):
    signature = stripe_sim.sign(body)

    response = deliver(client, stripe_sim, {}, payload=body, header=signature)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_readme_enables_on_stripes_endpoint_exactly_the_events_a_handler_acts_on():
    readme = (settings.BASE_DIR / "README.md").read_text()
    paragraph = readme[readme.index("Point a Stripe webhook endpoint") :].split("\n\n")[0]
    named = set(re.findall(r"`([a-z_]+\.[a-z_.]+)`", paragraph))

    assert named == set(webhooks.ENABLED_EVENTS) == set(webhooks.HANDLERS)
