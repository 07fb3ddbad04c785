"""The two reads of a payment attempt every order makes, the capture's (locked, with its order) and
each webhook's (by its PaymentIntent), run SQL compiled once per process (shop.statements), each
with its own intent or attempt: every order's webhooks find that order's attempt."""

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.payments.test_webhooks import deliver, last
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def placed(sim_client, title: str):
    shopper = Client()
    to_payment_step(shopper, merch(title, price="20.00", stock=5))
    assert place_order(shopper, card(sim_client)).status_code == 302
    return Order.objects.get(lines__title=title)


def attempt_selects(monkeypatch) -> list[str]:
    """The SELECTs of payment attempts compiled from now on (run from SQL kept, they are not)."""
    compiled = []
    real = SQLCompiler.as_sql

    def as_sql(compiler, *args, **kwargs):
        answer = real(compiler, *args, **kwargs)
        # Only SELECTs: the INSERT, UPDATE and DELETE compilers are subclasses.
        if type(compiler) is SQLCompiler and compiler.query.model is PaymentAttempt:
            compiled.append(answer[0])
        return answer

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return compiled


def test_each_orders_webhook_finds_its_own_attempt_with_sql_compiled_once(
    client, stripe_sim, sim_client, monkeypatch
):
    first = placed(sim_client, "First Statement Pin")
    assert (
        deliver(client, stripe_sim, last(stripe_sim, "payment_intent.succeeded")).status_code == 200
    )
    compiled = attempt_selects(monkeypatch)

    second = placed(sim_client, "Second Statement Pin")
    succeeded = last(stripe_sim, "payment_intent.succeeded")
    assert deliver(client, stripe_sim, succeeded).status_code == 200

    assert succeeded["data"]["object"]["id"] == second.sources.get().reference
    attempts = PaymentAttempt.objects.order_by("pk")
    assert [(a.order_id, a.status) for a in attempts] == [
        (first.pk, PaymentAttempt.Status.CAPTURED),
        (second.pk, PaymentAttempt.Status.CAPTURED),
    ]
    assert Order.objects.get(pk=second.pk).status == "Paid"
    # The capture's locked read and the webhook's read by intent ran from kept SQL.
    assert not [sql for sql in compiled if "payment_intent_id" in sql.partition("WHERE")[2]]
    assert not [sql for sql in compiled if '"order_order"' in sql]


def test_a_capture_reported_by_the_webhook_is_recorded_on_the_attempt_it_names(
    client, stripe_sim, sim_client, monkeypatch
):
    placed(sim_client, "Warm Pin")  # compiles the reads
    monkeypatch.setattr(services, "record_capture", lambda attempt, amount: None)
    missed = placed(sim_client, "Missed Capture Pin")  # our capture "lost": not recorded
    monkeypatch.undo()
    attempt = PaymentAttempt.objects.get(order=missed)
    assert attempt.status == PaymentAttempt.Status.PLACED

    response = deliver(client, stripe_sim, last(stripe_sim, "payment_intent.succeeded"))

    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CAPTURED
    missed.refresh_from_db()
    assert missed.status == "Paid"
    assert missed.payment_events.filter(event_type__name="Captured").count() == 1


def test_a_capture_of_an_attempt_gone_meanwhile_says_so():
    with pytest.raises(PaymentAttempt.DoesNotExist):
        services.record_capture(PaymentAttempt(pk=987_654), 2000)
