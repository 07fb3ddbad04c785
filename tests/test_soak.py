"""`manage.py soak`'s judgement, without the soak: the table and its verdicts, the log lines it
counts, and the books it checks (duplicate orders, money taken) on a tiny database."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from shop.devtools.bench.drop import Buyable
from shop.devtools.bench.soak import (
    Measure,
    connection_measure,
    duplicate_orders,
    error_lines,
    error_measure,
    memory_measures,
    order_measures,
    order_mix,
    passed,
    payments_measure,
    table,
    worker_rss,
)
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.orders import paid_order

Order = get_model("order", "Order")

MiB = 2**20


def summary(*, placed=8, sold_out=2, failed=0, not_started=0):
    """drop.OrderStream.summary()'s figures."""
    return {
        "asked": placed + sold_out + failed + not_started,
        "orders": placed + sold_out + failed,
        "placed": placed,
        "sold_out": sold_out,
        "failed": failed,
        "failures": {},
    }


# --- Verdicts -----------------------------------------------------------------------------------


def test_a_worker_that_grew_ten_percent_or_more_misses_the_memory_target():
    start = {"app A worker 1": 100 * MiB, "app B worker 2": 100 * MiB}
    end = {"app A worker 1": 109 * MiB, "app B worker 2": 110 * MiB}

    steady, grown = memory_measures(start, end)

    assert (steady.met, steady.observed) == (True, "100.0 → 109.0 MiB (+9.0%)")
    assert (grown.met, grown.observed) == (False, "100.0 → 110.0 MiB (+10.0%)")


def test_a_worker_replaced_during_the_run_is_shown_but_not_judged():
    start = {"app A worker 1": 100 * MiB, "app A worker 2": 100 * MiB}

    replaced, kept = memory_measures(start, {"app A worker 2": 101 * MiB})

    assert (replaced.observed, replaced.met) == ("replaced", None)
    assert kept.met is True


def test_memory_is_a_miss_when_no_worker_lasted_the_run():
    measures = memory_measures({"app A worker 1": 100 * MiB}, {"app A worker 7": 90 * MiB})

    assert not passed(measures)
    assert measures[-1] == Measure("memory", "a worker measured at both ends", "none", False)


def test_connections_may_reach_one_per_server_thread_plus_the_task_worker():
    at_limit = connection_measure(25, instances=2, workers=3, threads=4)
    over = connection_measure(26, instances=2, workers=3, threads=4)

    assert at_limit.met is True
    assert at_limit.target == "≤ 25 (2 instances x 3 workers x 4 threads + task worker)"
    assert over.met is False


def test_error_and_critical_lines_and_tracebacks_are_counted_in_both_log_formats():
    log = "\n".join(
        [
            "[2026-12-03 11:43:35 +0000] [13439] [INFO] Booting worker with pid: 13472",
            "2026-12-03 11:44:13,252 INFO shop.payments: Order 100002: payment captured",
            "2026-12-03 11:44:15,048 INFO shop.mail: E-mail 'no errors here' sent (try 1)",
            "2026-12-03 11:44:20,001 ERROR django.request: Internal Server Error: /basket/",
            "Traceback (most recent call last):",
            '  File "x.py", line 1, in <module>',
            "[2026-12-03 11:45:00 +0000] [13439] [CRITICAL] WORKER TIMEOUT (pid:13472)",
        ]
    )

    found = error_lines(log)

    assert [line.split()[2] for line in found[:1]] == ["ERROR"]
    assert len(found) == 3
    assert error_measure({"app A": found, "app B": []}) == Measure(
        "error lines in the logs", "0", "3 (app A 3, app B 0)", False
    )


def test_orders_miss_when_one_failed_or_the_database_holds_another_count():
    assert all(m.met for m in order_measures(summary(), in_database=8, duplicates=[]))

    answered, in_db, dupes = order_measures(
        summary(failed=1), in_database=9, duplicates=["basket 3: 2 orders"]
    )

    assert answered.observed == "11 done of 11 asked: 8 placed, 2 sold out, 1 failed"
    assert (answered.met, in_db.met, dupes.met) == (False, False, False)


def test_orders_not_started_when_the_load_stopped_are_shown():
    (answered, *_) = order_measures(summary(not_started=2), in_database=8, duplicates=[])

    assert answered.observed.endswith(", 2 not started")


def test_the_table_shows_each_verdict_and_one_miss_fails_the_soak():
    measures = [
        Measure("memory, app A worker 1", "< 10% growth", "replaced", None),
        Measure("error lines in the logs", "0", "0", True),
        Measure("duplicate orders", "0", "1", False),
    ]

    text = table(measures)

    assert text.splitlines()[0].split() == ["measure", "target", "observed"]
    verdicts = [line.split("  ")[-1] for line in text.splitlines()[2:]]
    assert verdicts == ["—", "met", "NOT MET"]
    assert not passed(measures)
    assert passed(measures[:2])


def test_each_child_process_memory_is_read():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        # Read once the interpreter runs: just after the fork it is a few KiB still in exec.
        assert child.stdout.readline() == b"up\n"
        found = worker_rss(os.getpid())
    finally:
        child.kill()
        child.wait()
        child.stdout.close()

    assert found.get(child.pid, 0) > MiB  # a Python interpreter's few MiB, at least


def test_most_order_picks_are_products_that_do_not_sell_out():
    plentiful = [Buyable(f"Pin {n}", f"/p/{n}/", f"/add/{n}/", scarce=False) for n in range(4)]
    scarce = [Buyable(f"Rare {n}", f"/r/{n}/", f"/add/r{n}/", scarce=True) for n in range(4)]

    mix = order_mix(plentiful + scarce)

    assert set(mix) == set(plentiful + scarce)
    assert sum(item.scarce for item in mix) / len(mix) == 0.25


# --- The books, on a tiny database ---------------------------------------------------------------


@pytest.fixture
def pin():
    return merch("Soak Pin", price="12.00", stock=10)


def attempt(order, *, payment_intent: str, token: str):
    return PaymentAttempt.objects.create(
        basket=order.basket,
        confirmation_token=token,
        idempotency_key=token,
        order_number=order.number,
        amount=1200,
        currency=order.currency,
        payment_intent_id=payment_intent,
        status=PaymentAttempt.Status.CAPTURED,
        order=order,
    )


@pytest.mark.django_db
def test_orders_each_from_their_own_basket_and_payment_are_no_duplicates(pin):
    first, second = paid_order((pin, 1)), paid_order((pin, 2))
    attempt(first, payment_intent="pi_1", token="ctoken_1")
    attempt(second, payment_intent="pi_2", token="ctoken_2")

    assert duplicate_orders() == []


@pytest.mark.django_db
def test_two_orders_from_one_basket_or_one_payment_are_duplicates(pin):
    first, second, third = paid_order((pin, 1)), paid_order((pin, 1)), paid_order((pin, 1))
    Order.objects.filter(pk=second.pk).update(basket=first.basket)
    attempt(first, payment_intent="pi_1", token="ctoken_1")
    attempt(third, payment_intent="pi_1", token="ctoken_3")

    assert duplicate_orders() == [
        f"basket {first.basket_id}: 2 orders",
        "payment pi_1: 2 orders",
    ]


def intent(cents: int, status: str = "succeeded") -> dict:
    return {"status": status, "amount_received": cents if status == "succeeded" else 0}


@pytest.mark.django_db
def test_money_taken_reconciles_with_the_orders_totals(pin):
    orders = [paid_order((pin, 1)), paid_order((pin, 2))]
    cents = [int(o.total_incl_tax * 100) for o in orders]
    taken = {"pi_1": intent(cents[0]), "pi_2": intent(cents[1]), "pi_3": intent(0, "canceled")}

    measure = payments_measure(taken)

    assert measure.met is True
    assert measure.observed == f"2 for 2 orders; {sum(cents):,} = {sum(cents):,} cents"


@pytest.mark.django_db
def test_an_order_without_its_capture_or_a_wrong_amount_is_reported(pin):
    order = paid_order((pin, 1))
    cents = int(order.total_incl_tax * Decimal(100))

    assert payments_measure({}).met is False
    short = payments_measure({"pi_1": intent(cents - 1)})
    assert short.met is False
    assert "≠" in short.observed
