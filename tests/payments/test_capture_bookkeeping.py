"""Recording a capture adds the amount to the order's card source with one UPDATE (no read of the
source first, no save of its every column) and notes the Debit transaction: the source's figures
and the order's payment are as before, two round trips fewer for every order."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")
Transaction = get_model("payment", "Transaction")

pytestmark = pytest.mark.django_db


def placed_without_capture(sim_client, monkeypatch):
    shopper = Client()
    to_payment_step(shopper, merch("Capture Book Pin", price="20.00", stock=5))
    monkeypatch.setattr(services, "record_capture", lambda attempt, amount: None)
    assert place_order(shopper, card(sim_client)).status_code == 302
    monkeypatch.undo()
    return PaymentAttempt.objects.get(order__lines__title="Capture Book Pin")


def test_a_capture_adds_to_the_source_without_reading_it_first(stripe_sim, sim_client, monkeypatch):
    attempt = placed_without_capture(sim_client, monkeypatch)
    source = attempt.order.sources.get()
    assert (source.amount_allocated, source.amount_debited) == (attempt.order.total_incl_tax, 0)

    with CaptureQueriesContext(connection) as queries:
        services.record_capture(attempt, attempt.amount)

    source.refresh_from_db()
    assert source.amount_debited == source.amount_allocated == attempt.order.total_incl_tax
    debit = Transaction.objects.get(source=source, txn_type=Transaction.DEBIT)
    assert (debit.amount, debit.reference, debit.status) == (
        source.amount_allocated,
        attempt.payment_intent_id,
        "succeeded",
    )
    assert Order.objects.get(pk=attempt.order_id).status == "Paid"
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "payment_source"')]
    assert reads == [], reads  # its id came with the attempt's locked read
    [update] = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "payment_source"')]
    assert '"amount_allocated"' not in update  # only the debited amount is written


def test_a_capture_recorded_twice_is_counted_once(stripe_sim, sim_client, monkeypatch):
    attempt = placed_without_capture(sim_client, monkeypatch)

    services.record_capture(attempt, attempt.amount)
    services.record_capture(PaymentAttempt.objects.get(pk=attempt.pk), attempt.amount)

    source = attempt.order.sources.get()
    assert source.amount_debited == attempt.order.total_incl_tax > Decimal(0)
    assert Transaction.objects.filter(source=source, txn_type=Transaction.DEBIT).count() == 1
