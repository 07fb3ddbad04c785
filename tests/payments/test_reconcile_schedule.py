"""Reconciliation runs by itself on the task worker: no cron, one run waiting at a time, and a
hold with no order is offered to whoever can take it over before it is cancelled."""

from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from shop.payments import reconcile, signals, tasks
from shop.worker import periodic
from tests.shopping import held_without_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_seven_minutes_no_grace(settings):
    settings.PAYMENTS_RECONCILE_EVERY = 7
    settings.PAYMENTS_ORPHAN_GRACE = 0


def waiting_runs() -> list[DBTaskResult]:
    return list(periodic.waiting_runs(tasks.reconcile_payments))


def minutes_from_now(run) -> float:
    return (run.run_after - timezone.now()).total_seconds() / 60


def start_worker(**options):
    """`manage.py db_worker` as deployed, up to the point where it would loop over the queue."""
    out = StringIO()
    call_command("db_worker", reload=False, startup_delay=False, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def worker_loop_skipped(monkeypatch):
    monkeypatch.setattr(Worker, "run", lambda self: None)


def test_a_run_reconciles_and_queues_exactly_one_next_run_every_minutes_later(
    stripe_sim, sim_client
):
    intent = held_without_order(sim_client)

    counts = tasks.reconcile_payments.call()

    assert counts["cancelled"] == 1
    assert stripe_sim.payment_intents[intent.id]["status"] == "canceled"
    (next_run,) = waiting_runs()
    assert 6.9 < minutes_from_now(next_run) <= 7


def test_a_failing_run_still_queues_the_next_one(stripe_sim, monkeypatch):
    def stripe_is_down(**kwargs):
        raise RuntimeError("Stripe is down")

    monkeypatch.setattr(reconcile, "reconcile", stripe_is_down)

    with pytest.raises(RuntimeError):
        tasks.reconcile_payments.call()

    (next_run,) = waiting_runs()
    assert 6.9 < minutes_from_now(next_run) <= 7


def test_runs_never_pile_up(stripe_sim):
    tasks.reconcile_payments.call()
    tasks.reconcile_payments.call()
    assert len(waiting_runs()) == 1


def test_the_worker_runs_the_chain_it_started(stripe_sim, sim_client, worker_loop_skipped):
    intent = held_without_order(sim_client)
    start_worker()
    (first,) = waiting_runs()

    # What the worker's loop does with it: claim it (now running), run it, mark it done.
    first.claim("worker-1")
    first.set_successful(first.task.call())

    assert stripe_sim.payment_intents[intent.id]["status"] == "canceled"
    (second,) = waiting_runs()
    assert second.pk != first.pk and 6.9 < minutes_from_now(second) <= 7


def test_starting_the_worker_queues_a_run_now_when_none_is_waiting(worker_loop_skipped):
    output = start_worker()

    (run,) = waiting_runs()
    assert run.run_after <= timezone.now()
    assert "Payments reconciliation queued" in output


def test_starting_the_worker_again_queues_no_second_run(worker_loop_skipped):
    periodic.schedule(tasks.reconcile_payments, after=timedelta(minutes=3))

    start_worker()
    start_worker()

    (run,) = waiting_runs()
    assert minutes_from_now(run) > 2


def test_a_batch_run_of_the_worker_starts_no_chain(worker_loop_skipped):
    start_worker(batch=True)
    assert waiting_runs() == []


@contextmanager
def offered_to_a_receiver(answer):
    """A receiver of `held_without_order` answering `answer`; yields the intents it was offered."""
    offered = []

    def receiver(sender, intent, **kwargs):
        offered.append(intent.id)
        return answer

    signals.held_without_order.connect(receiver)
    try:
        yield offered
    finally:
        signals.held_without_order.disconnect(receiver)


def test_a_receiver_that_takes_the_hold_over_stops_the_cancel(stripe_sim, sim_client):
    intent = held_without_order(sim_client)

    with offered_to_a_receiver(True) as offered:
        counts = reconcile.reconcile()

    assert offered == [intent.id]
    assert stripe_sim.payment_intents[intent.id]["status"] == "requires_capture"
    assert counts["handed_over"] == 1 and counts["cancelled"] == 0


def test_a_hold_nobody_takes_is_cancelled(stripe_sim, sim_client):
    intent = held_without_order(sim_client)

    with offered_to_a_receiver(None) as offered:
        counts = reconcile.reconcile()

    assert offered == [intent.id]
    assert stripe_sim.payment_intents[intent.id]["status"] == "canceled"
    assert counts["handed_over"] == 0 and counts["cancelled"] == 1


def test_an_abandoned_3d_secure_is_cancelled_quietly(stripe_sim, sim_client):
    intent = held_without_order(sim_client, payment_method="pm_card_authenticationRequired")
    assert intent.status == "requires_action"

    with offered_to_a_receiver(True) as offered:
        counts = reconcile.reconcile()

    assert offered == []
    assert stripe_sim.payment_intents[intent.id]["status"] == "canceled"
    assert counts["cancelled"] == 1
