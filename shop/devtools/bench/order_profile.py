"""`manage.py bench --order-profile`: what one guest order costs the server, step by step.

The order is `bench --drop`'s (drop.OrderPlacer): the product page, "Add to basket", the guest's
e-mail, address and shipping method (one page), the review page, "Place order" (the card's ConfirmationToken
is made by the Stripe simulator beforehand, as Stripe.js would), then Stripe's webhooks for it, and
last the task worker's jobs it queued (the confirmation e-mail). Each step runs in-process through
Django's test Client with DEBUG off, on the configured database and cache, paying through the
simulator in-process; the simulator's own work is left out of every figure (Stripe's servers do
it in production), the SDK's on our side of the call is counted.

Per step it prints the SQL queries and the Python function calls (cProfile's total), which are the
same run after run and under load, and the CPU milliseconds (`time.process_time`, median of the
timed orders), which are not: the machine is shared, so read them as an indication. Queries, calls
and CPU are each measured on orders of their own, so that counting does not weigh on the timing.
It places real orders in the database it runs on (and tops up the featured pin's stock for them).
"""

from __future__ import annotations

import cProfile
import html
import pstats
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import process_time
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from oscar.core.loading import get_model

from shop.devtools.stripe_simulator import InProcessHTTPClient, Simulator
from shop.payments import client as payments_client
from shop.payments.webhooks import ENABLED_EVENTS
from shop.stock import save_stock_edit

from . import report, scenarios
from .common import BenchError, size_label, synthetic_count

Product = get_model("catalogue", "Product")

WARMUP_ORDERS = 2  # the first orders find the payment kinds (shop.payments.kinds), fill caches
STATS_SHOWN = 12  # functions per step in the text, with --order-profile-stats
SQL_SHOWN = 300  # characters of each statement kept in the JSON, to see what a step runs

# The steps in the order a shopper takes them; the last one runs in the task worker, not a request.
PRODUCT, ADD, DETAILS, REVIEW, PLACE, WEBHOOKS, WORKER = (
    "product page",
    "add to basket",
    "e-mail, address, method",
    "review page",
    "place order",
    "webhooks",
    "task worker",
)
STEPS = [PRODUCT, ADD, DETAILS, REVIEW, PLACE, WEBHOOKS, WORKER]
REQUEST_STEPS = STEPS[:-1]


@dataclass
class Figures:
    queries: int = 0
    sql: list[str] = field(default_factory=list)
    calls: int = 0
    cpu_ms: float = 0.0


class RemoteStripe(InProcessHTTPClient):
    """The simulator answering in this process, its own work kept out of the shop's figures: in
    production Stripe's servers do it. The SDK's work on each side of the call stays in."""

    def __init__(self, simulator: Simulator):
        super().__init__(simulator)
        self.cpu_seconds = 0.0
        self.profiler: cProfile.Profile | None = None

    def request(self, *args, **kwargs):
        profiler = self.profiler
        if profiler is not None:
            profiler.disable()
        started = process_time()
        try:
            return super().request(*args, **kwargs)
        finally:
            self.cpu_seconds += process_time() - started
            if profiler is not None:
                profiler.enable()


class Meter:
    """How the steps of one order are measured: "time", "queries" or "calls"."""

    def __init__(self, how: str, stripe: RemoteStripe):
        self.how = how
        self.stripe = stripe
        self.steps: dict[str, Figures] = {}
        self.profiles: dict[str, pstats.Stats] = {}

    def __call__(self, step: str, action: Callable[[], object]):
        figures = self.steps.setdefault(step, Figures())
        if self.how == "queries":
            with CaptureQueriesContext(connection) as captured:
                answer = action()
            figures.queries += len(captured)
            figures.sql += [q["sql"][:SQL_SHOWN] for q in captured.captured_queries]
        elif self.how == "calls":
            profiler = self.stripe.profiler = cProfile.Profile()
            try:
                answer = profiler.runcall(action)
            finally:
                self.stripe.profiler = None
            stats = pstats.Stats(profiler)
            figures.calls += stats.total_calls
            if step in self.profiles:
                self.profiles[step].add(stats)
            else:
                self.profiles[step] = stats
        else:
            started, stripe_before = process_time(), self.stripe.cpu_seconds
            answer = action()
            spent = process_time() - started - (self.stripe.cpu_seconds - stripe_before)
            figures.cpu_ms += spent * 1000
        return answer


class Shopper:
    """One guest's order through the test Client, each step measured by `meter`."""

    def __init__(self, simulator: Simulator, product):
        self.simulator = simulator
        self.product_url = product.get_absolute_url()
        self.add_url = reverse("basket:add", kwargs={"pk": product.pk})
        self.webhook_url = reverse("stripe-webhook")
        # Stripe's side posts the webhooks. Every browser shares its handler, whose middleware is
        # loaded once, as a server process loads it (each new Client would load it again).
        self.stripe = Client()

    def browser(self) -> Client:
        browser = Client()
        browser.handler = self.stripe.handler
        return browser

    def order(self, meter: Meter) -> None:
        browser = self.browser()
        self._expect(meter(PRODUCT, lambda: browser.get(self.product_url)), 200, PRODUCT)
        added = meter(
            ADD,
            lambda: browser.post(
                self.add_url, {"quantity": 1, "next": reverse("checkout:shipping-address")}
            ),
        )
        self._expect(added, 302, ADD)
        (details,) = scenarios.guest_checkout_steps()
        self._expect(meter(DETAILS, lambda: browser.post(details.url, details.data)), 302, DETAILS)
        review = meter(REVIEW, lambda: browser.get(reverse("checkout:preview")))
        self._expect(review, 200, REVIEW)
        form = {
            "action": "place_order",
            "basket_id": _field(review.content, "basket_id"),
            "fingerprint": _field(review.content, "fingerprint"),
            "confirmation_token": self._card(),
        }
        seen = set(self._event_ids())
        placed = meter(PLACE, lambda: browser.post(reverse("checkout:preview"), form))
        if placed.status_code != 302 or placed["Location"] != reverse("checkout:thank-you"):
            raise BenchError(f"Place order answered {placed.status_code} {placed.get('Location')}")
        # Only the events Stripe's endpoint enables reach the shop, as Stripe sends them.
        events = [
            event
            for event in self._event_ids()
            if event not in seen
            and self.simulator._is_enabled(self.simulator._objects[event]["type"])
        ]
        # Stripe signs them before sending: that work is not the shop's, so not in the step.
        signed = [self.simulator.webhook_request(self.simulator._objects[e]) for e in events]
        meter(WEBHOOKS, lambda: [self._deliver(*request) for request in signed])
        meter(WORKER, run_due_tasks)

    def _card(self) -> str:
        stripe = payments_client.stripe_client()
        return stripe.v1.test_helpers.confirmation_tokens.create(
            {"payment_method": "pm_card_visa"}
        ).id

    def _event_ids(self) -> list[str]:
        return [
            key for key, obj in list(self.simulator._objects.items()) if obj["object"] == "event"
        ]

    def _deliver(self, payload: bytes, signature: str) -> None:
        """As the simulator's webhook worker POSTs it (signed), through the test Client."""
        answer = self.stripe.post(
            self.webhook_url,
            payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )
        self._expect(answer, 200, WEBHOOKS)

    @staticmethod
    def _expect(response, status: int, step: str) -> None:
        if response.status_code != status:
            where = response.get("Location", "")
            raise BenchError(f"{step} answered {response.status_code} {where}".rstrip())


def run_due_tasks() -> int:
    """The task worker's share: every due job run in this process, and the jobs those queue."""
    ran = 0
    for _round in range(10):
        due = list(DBTaskResult.objects.ready())
        if not due:
            break
        for row in due:
            result = row.task_result
            row.set_successful(row.task.call(*result.args, **result.kwargs))
            ran += 1
    return ran


def _field(body: bytes, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"'.encode(), body)
    if found is None:
        raise BenchError(f"the review page has no {name} field")
    return html.unescape(found[1].decode())


def run(
    *, synthetic: int, orders: int, out: Path, stats: bool = False, warmup: int = WARMUP_ORDERS
) -> dict:
    """Place warm-up orders, one counted for queries, one profiled, then `orders` timed; write
    var/bench/order-profile-<size>-<vendor>.txt/.json (and a .pstats per step with `stats`)."""
    machine = report.machine()
    simulator = Simulator(base_url=settings.STRIPE_SIMULATOR_URL, webhook_events=ENABLED_EVENTS)
    stripe = RemoteStripe(simulator)
    product = scenarios.featured_product()
    _stock_for(product, warmup + 2 + orders)
    with (
        warnings.catch_warnings(),
        override_settings(
            DEBUG=False,
            ROOT_URLCONF="shop.devtools.bench.urls",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
            STRIPE_MODE="simulator",
            EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SHOP_PRODUCT_VIEWS_FLUSH_SECONDS=float("inf"),
        ),
        mock.patch.object(payments_client, "http_client", lambda: stripe),
    ):
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        from .inprocess import _collect_static_if_needed

        _collect_static_if_needed()
        shopper = Shopper(simulator, product)
        for _ in range(warmup):
            shopper.order(Meter("time", stripe))
        counted, profiled = Meter("queries", stripe), Meter("calls", stripe)
        shopper.order(counted)
        shopper.order(profiled)
        timed = []
        for _ in range(orders):
            meter = Meter("time", stripe)
            shopper.order(meter)
            timed.append(meter)
    rows = [
        {
            "step": step,
            "queries": counted.steps[step].queries,
            "calls": profiled.steps[step].calls,
            "cpu_ms": [round(m.steps[step].cpu_ms, 2) for m in timed],
            "cpu_ms_median": round(report.percentile([m.steps[step].cpu_ms for m in timed], 50), 2),
            "sql": counted.steps[step].sql,
        }
        for step in STEPS
    ]
    result = {
        "kind": "order-profile",
        "size": size_label(synthetic),
        "synthetic_products": synthetic_count(),
        "products": Product.objects.count(),
        "orders": orders,
        "warmup": warmup,
        "machine": machine,
        "rows": rows,
        "requests": _total(rows, REQUEST_STEPS, timed),
        "all": _total(rows, STEPS, timed),
    }
    name = f"order-profile-{result['size']}-{connection.vendor}"
    result["files"] = [str(out / f"{name}.txt"), str(out / f"{name}.json")]
    text = order_profile_text(result)
    if stats:
        text += "\n" + _write_stats(out / name, profiled.profiles)
        result["files"].append(str(out / name))
    report.write(out, name, result, text)
    return result


def _total(rows: list[dict], steps: list[str], timed: list[Meter]) -> dict:
    chosen = [r for r in rows if r["step"] in steps]
    per_order = [sum(m.steps[s].cpu_ms for s in steps) for m in timed]
    return {
        "queries": sum(r["queries"] for r in chosen),
        "calls": sum(r["calls"] for r in chosen),
        "cpu_ms_median": round(report.percentile(per_order, 50), 2),
    }


def order_profile_text(result: dict) -> str:
    rows = [
        [r["step"], r["queries"], f"{r['calls']:,}", f"{r['cpu_ms_median']:.1f}"]
        for r in result["rows"]
    ]
    for label, key in (("web requests", "requests"), ("with the task worker", "all")):
        total = result[key]
        rows.append(
            [label, total["queries"], f"{total['calls']:,}", f"{total['cpu_ms_median']:.1f}"]
        )
    return (
        f"One guest order, step by step ({result['products']:,} products; "
        f"{report.machine_line(result['machine'])})\n\n"
        + report.table(["step", "queries", "calls", "CPU ms"], rows)
        + f"\n\nQueries and Python calls (cProfile) are counted on one order each; CPU ms is the "
        f"median of {result['orders']} orders (time.process_time, in-process, after "
        f"{result['warmup']} warm-up orders): indicative only, the machine may be shared. "
        "The task worker's row runs outside any request.\n"
    )


def _write_stats(directory: Path, profiles: dict[str, pstats.Stats]) -> str:
    """Each step's profile as a .pstats file, and its costliest functions as text."""
    import io

    directory.mkdir(parents=True, exist_ok=True)
    parts = []
    for step, stats in profiles.items():
        stats.dump_stats(directory / f"{step.replace(' ', '-')}.pstats")
        buffer = io.StringIO()
        stats.stream = buffer
        stats.sort_stats("cumulative").print_stats(STATS_SHOWN)
        parts.append(f"--- {step} ---\n" + buffer.getvalue())
    return "\n".join(parts)


def _stock_for(product, orders: int) -> None:
    """Enough free units of `product` for the run (a staff-like stock edit, never an allocation)."""
    record = product.stockrecords.order_by("pk").first()
    if record is None:
        raise BenchError(f"{product.get_title()} has no stock record: run seed_demo.")
    free = (record.num_in_stock or 0) - (record.num_allocated or 0)
    if free < orders + 1:
        record.num_in_stock = (record.num_allocated or 0) + orders + 100
        save_stock_edit(record, changed={"num_in_stock"})
