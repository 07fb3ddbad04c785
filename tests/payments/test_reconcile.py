"""`manage.py reconcile_payments`: what a crash left behind is captured or released."""

from io import StringIO

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import held_without_order, placed_uncaptured

pytestmark = pytest.mark.django_db

OrderNote = get_model("order", "OrderNote")


def reconcile(*args) -> str:
    out = StringIO()
    call_command("reconcile_payments", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_an_orphaned_authorisation_is_cancelled(stripe_sim, sim_client):
    intent = held_without_order(sim_client)

    output = reconcile("--grace", "0")

    assert stripe_sim.payment_intents[intent.id]["status"] == "canceled"
    assert "1 orphans" in output and "1 cancelled" in output


def test_a_recent_authorisation_is_left_to_its_checkout(stripe_sim, sim_client):
    intent = held_without_order(sim_client)
    output = reconcile()  # 15 minutes' grace
    assert stripe_sim.payment_intents[intent.id]["status"] == "requires_capture"
    assert "0 orphans" in output


def test_dry_run_reports_and_changes_nothing(stripe_sim, sim_client):
    intent = held_without_order(sim_client)
    output = reconcile("--grace", "0", "--dry-run")
    assert stripe_sim.payment_intents[intent.id]["status"] == "requires_capture"
    assert f"[dry run] {intent.id}" in output


def test_a_placed_order_whose_capture_failed_is_captured(stripe_sim, sim_client, monkeypatch):
    real_capture = services.capture
    attempt = placed_uncaptured(sim_client, monkeypatch, merch("Reconciled Pin", stock=3))
    monkeypatch.setattr(services, "capture", real_capture)

    output = reconcile()

    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CAPTURED
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "succeeded"
    assert "1 captured" in output
    # and running it again changes nothing
    assert "0 captured" in reconcile()


def test_captured_money_without_an_order_is_reported(stripe_sim, sim_client):
    intent = held_without_order(sim_client, order_number="100888")
    sim_client.v1.payment_intents.capture(intent.id)
    output = reconcile("--grace", "0")
    assert "100888, which does not exist" in output
    assert "1 unpaired" in output


def test_a_capture_only_stripe_knows_of_is_recorded_on_the_order(
    stripe_sim, sim_client, monkeypatch
):
    # Our capture call's reply was lost, and so was Stripe's webhook: Stripe took the money, the
    # order still says it is waiting for it.
    attempt = placed_uncaptured(sim_client, monkeypatch, merch("Quiet Capture Pin", stock=3))
    sim_client.v1.payment_intents.capture(attempt.payment_intent_id)
    order = attempt.order
    assert order.status == "Pending payment"

    output = reconcile()

    attempt.refresh_from_db()
    order.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CAPTURED
    assert order.status == "Paid"
    assert order.sources.get().amount_debited == order.total_incl_tax
    assert [e.event_type.name for e in order.payment_events.order_by("pk")] == [
        "Authorised",
        "Captured",
    ]
    assert f"{attempt.payment_intent_id}: captured for order {order.number}" in output
    assert "1 recorded" in output
    # and running it again records nothing twice
    assert "0 recorded" in reconcile()
    assert order.payment_events.count() == 2


def test_a_hold_stripe_cancelled_under_a_placed_order_warns_staff_once(
    stripe_sim, sim_client, monkeypatch
):
    # The capture failed, then the hold was cancelled in Stripe (by hand, or expired), and its
    # webhook never reached us: the order must say it is not paid.
    attempt = placed_uncaptured(sim_client, monkeypatch, merch("Cancelled Hold Pin", stock=3))
    sim_client.v1.payment_intents.cancel(attempt.payment_intent_id)

    output = reconcile()

    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CANCELLED
    (note,) = OrderNote.objects.filter(order=attempt.order)
    assert "NOT paid" in note.message
    assert f"{attempt.payment_intent_id}: cancelled under order {attempt.order.number}" in output
    assert "1 unpaid" in output
    assert "0 unpaid" in reconcile()
    assert OrderNote.objects.filter(order=attempt.order).count() == 1
