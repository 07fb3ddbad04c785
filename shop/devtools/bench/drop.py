"""`manage.py bench --drop`: the pages a drop's crowd reads (listing, search, a product, an article)
under load while real guest orders go through the checkout, first with none (quiet), then at each
rate of --rates. Orders are placed over HTTP as a browser places them and paid through the Stripe
simulator; a few products are made scarce so that they sell out during the run, and a shopper one
of them turns away buys a plentiful product instead: a rate is of orders placed. At the end the
stock must reconcile with the orders: nothing oversold, every allocation an order line's.

Before any page is loaded, the top rate's orders run alone for as long as one of its phases: the
cores they keep busy by themselves, less what the pages kept busy quiet, is about what the machine
has left for the pages while those orders come in, a steadier figure than the pages' shares.

The server is the one `--load` runs (load.py: gunicorn, production settings, wrk), on PostgreSQL
with Redis, whose database is emptied at the start.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import random
import re
import resource
import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from time import monotonic, perf_counter, sleep
from urllib.parse import urlencode, urlsplit

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN, ITEMS
from shop.devtools.stripe_simulator import Simulator, serve
from shop.pagecache.middleware import COUNTED, count_key
from shop.payments.client import SIMULATOR_PUBLISHABLE_KEY
from shop.payments.webhooks import ENABLED_EVENTS
from shop.stock import save_stock_edit

from . import load, report, scenarios
from .common import BenchError, size_label, synthetic_count

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
OrderLine = get_model("order", "Line")

PAGE_KINDS = ["catalogue", "search", "product", "article"]
# The targets while orders come in: these pages keep MIN_QUIET_SHARE of their quiet
# requests/s with a p99 under MAX_P99_MS; every page answers without errors.
TARGET_KINDS = {"catalogue", "search", "product"}
MIN_QUIET_SHARE = 0.80
MAX_P99_MS = 50.0
QUIET = "quiet"
# The pages are loaded quiet again after the orders: a page's share of quiet is of the mean of
# its two quiet phases, which bracket the order phases, so a machine that drifts during the run
# (a shared one can serve the same cached page a third faster or slower from one minute to the
# next) does not read as the orders' doing.
QUIET_AGAIN = "quiet again"
QUIET_PHASES = (QUIET, QUIET_AGAIN)
# Before any page is loaded, the top rate's orders run alone for as long as one of its phases:
# what they cost the machine by themselves, and so how much of it they leave the pages.
ORDERS_ALONE = "orders alone"

# What the crowd buys: the featured pin and a few others with stock for the whole run, and a few
# scarce products that sell out during it (each order is one unit of one of these, at random).
PLENTIFUL_PRODUCTS = 4  # the featured pin and three more
SCARCE_PRODUCTS = 4
SCARCE_UNITS = 3
PLENTY = 100_000
ORDER_THREADS = 16
SLOW_ORDERS = 0.9  # a phase that completed less than this share of its order rate says so
TEST_CARD = {"number": "4242424242424242", "exp_month": "12", "cvc": "123"}

PLACED, SOLD_OUT = "placed", "sold out"


class OrderFailed(Exception):
    """An order that went wrong in a way a sold-out product does not explain."""


# --- What the run needs ------------------------------------------------------------------------


def check_requirements(*, allow_sqlite: bool = False) -> None:
    """A drop is measured as production serves it: a shared Redis cache and PostgreSQL."""
    if not settings.REDIS_URL:
        raise BenchError(
            "bench --drop needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/2). Its "
            "database is emptied (FLUSHDB) at the start, so give it one of its own."
        )
    if connection.vendor != "postgresql" and not allow_sqlite:
        raise BenchError(
            f"bench --drop needs PostgreSQL (DATABASE_URL=postgres://…), not {connection.vendor}: "
            "on SQLite concurrent orders queue on one write lock, which is not what a drop measures."
        )


def flush_redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@dataclass(frozen=True)
class Buyable:
    """A product the crowd buys: its page (for the CSRF cookie) and its "Add to basket" form."""

    title: str
    page_url: str
    add_url: str
    scarce: bool


def buyable(product, *, scarce: bool = False) -> Buyable:
    return Buyable(
        title=product.get_title(),
        page_url=product.get_absolute_url(),
        add_url=reverse("basket:add", kwargs={"pk": product.pk}),
        scarce=scarce,
    )


def prepare_stock(*, stdout=None) -> tuple[list[Buyable], dict[int, tuple[int, int]]]:
    """Give the plentiful products PLENTY units free and each scarce one SCARCE_UNITS; return what
    the crowd buys, and each stock record's (on hand, allocated) from then on. Says which products
    are scarce on `stdout`, when given."""
    demo = [item.code for item in ITEMS if item.code != CHEEKY_PINK_PIN]
    others = (
        Product.objects.filter(upc__in=demo, stockrecords__isnull=False).distinct().order_by("upc")
    )
    products = [scenarios.featured_product(), *others[: PLENTIFUL_PRODUCTS + SCARCE_PRODUCTS - 1]]
    if len(products) < PLENTIFUL_PRODUCTS + SCARCE_PRODUCTS:
        raise BenchError("The demo catalogue is missing products with stock: run seed_demo.")
    buyables = []
    for n, product in enumerate(products):
        scarce = n >= PLENTIFUL_PRODUCTS
        record = product.stockrecords.order_by("pk").first()
        record.refresh_from_db()
        record.num_in_stock = (record.num_allocated or 0) + (SCARCE_UNITS if scarce else PLENTY)
        save_stock_edit(record, changed={"num_in_stock"})
        buyables.append(buyable(product, scarce=scarce))
    if stdout is not None:
        scarce_titles = ", ".join(b.title for b in buyables if b.scarce)
        stdout.write(f"Scarce for the drop ({SCARCE_UNITS} units each): {scarce_titles}.")
    return buyables, stock_snapshot()


def stock_snapshot() -> dict[int, tuple[int, int]]:
    """Every stock record's (on hand, allocated)."""
    return {
        pk: (in_stock or 0, allocated or 0)
        for pk, in_stock, allocated in StockRecord.objects.values_list(
            "pk", "num_in_stock", "num_allocated"
        )
    }


def check_stock(*, before: dict[int, tuple[int, int]], since: datetime) -> list[str]:
    """What is wrong with the stock after the run, in words; empty when nothing is.

    Nothing is oversold (allocated ≤ on hand, on every stock record), and every record's
    allocation grew by exactly the units of the order lines placed since `since`, with its count
    on hand untouched (orders allocate; nothing is dispatched during the run)."""
    problems = [
        f"{record.product.get_title()} (stock record {record.pk}): oversold, "
        f"{record.num_allocated} allocated but {record.num_in_stock} on hand"
        for record in StockRecord.objects.filter(num_allocated__gt=F("num_in_stock"))
        .select_related("product")
        .order_by("pk")
    ]
    sold = dict(
        OrderLine.objects.filter(order__date_placed__gte=since, stockrecord__isnull=False)
        .values("stockrecord")
        .annotate(units=Sum("quantity"))
        .values_list("stockrecord", "units")
    )
    after = stock_snapshot()
    for pk in sorted(set(before) | set(sold)):
        units = sold.get(pk, 0)
        if pk not in before or pk not in after:
            where = "was made during the run" if pk in after else "is gone"
            problems.append(f"stock record {pk}: {units} units sold, but it {where}")
            continue
        (in_stock, allocated), now = before[pk], after[pk]
        expected = (in_stock, allocated + units)
        if now != expected:
            problems.append(
                f"stock record {pk}: {now[0]} on hand and {now[1]} allocated, expected "
                f"{expected[0]} and {expected[1]} ({allocated} allocated before, {units} units "
                "in the orders since)"
            )
    return problems


# --- Orders over HTTP --------------------------------------------------------------------------


class OrderPlacer:
    """Guest orders as a shopper's browser places them, over HTTP: the product page, "Add to
    basket", the guest's e-mail, address and shipping method (one page), the review page, the card (a
    ConfirmationToken the Stripe simulator makes, as the Stripe.js stand-in asks it to) and
    "Place order". Thread-safe: each order has its own cookie jar.

    `place()` answers PLACED, or SOLD_OUT when the shop said the product sold out (the basket
    refused it, the checkout sent the shopper back to the basket, or it sold out while paying);
    anything else raises OrderFailed.

    With a `checkout_port`, the product page is read from `port` (the pages' server) and every
    other request goes to the checkout's server, as a proxy routing by path would send them.
    """

    def __init__(self, port: int, *, simulator_url: str, checkout_port: int | None = None):
        self.port = port
        self.checkout_port = checkout_port or port
        self.simulator = urlsplit(simulator_url)
        self._stripe = threading.local()  # each order thread's connection to the simulator
        self.urls = {
            "basket": reverse("basket:summary"),
            "checkout": reverse("checkout:shipping-address"),
            "preview": reverse("checkout:preview"),
            "thank-you": reverse("checkout:thank-you"),
        }

    def place(self, item: Buyable, *, email: str = scenarios.GUEST_EMAIL) -> str:
        """`email`: the guest's, which tells one order from another (cluster-check's)."""
        browser = load.HttpShopper(self.checkout_port)
        self._expect(browser, "GET", item.page_url, None, 200, port=self.port)
        # The basket sends a refused product back to the basket, an added one on to `next`.
        status = browser.request(
            "POST", item.add_url, {"quantity": 1, "next": self.urls["checkout"]}
        )
        if self._redirected_to(browser, "basket"):
            return SOLD_OUT
        if not self._redirected_to(browser, "checkout"):
            raise OrderFailed(f"Add to basket answered {status} {browser.location}".rstrip())
        for step in scenarios.guest_checkout_steps(email):
            if self._expect(browser, "POST", step.url, step.data, 302) == SOLD_OUT:
                return SOLD_OUT
        if self._expect(browser, "GET", self.urls["preview"], None, 200) == SOLD_OUT:
            return SOLD_OUT
        form = {
            "action": "place_order",
            "basket_id": self._field(browser, "basket_id"),
            "fingerprint": self._field(browser, "fingerprint"),
            "confirmation_token": self.confirmation_token(),
        }
        status = browser.request("POST", self.urls["preview"], form)
        if self._redirected_to(browser, "thank-you"):
            return PLACED
        if self._redirected_to(browser, "basket") or (
            status == 200 and b"sold out while you were paying" in browser.body
        ):
            return SOLD_OUT
        raise OrderFailed(f"Place order answered {status} {browser.location}".rstrip())

    def confirmation_token(self) -> str:
        """What Stripe.js's createConfirmationToken posts for the card typed into the page."""
        card = {**TEST_CARD, "exp_year": str(date.today().year + 3)}
        body = urlencode(
            {"payment_method_data[type]": "card"}
            | {f"payment_method_data[card][{k}]": v for k, v in card.items()}
        )
        headers = {
            "Authorization": f"Bearer {SIMULATOR_PUBLISHABLE_KEY}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            status, answer = self._to_stripe("/v1/confirmation_tokens", body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The kept connection went away between two orders: a browser opens another.
            status, answer = self._to_stripe("/v1/confirmation_tokens", body, headers)
        if status != 200 or "id" not in answer:
            raise OrderFailed(f"the simulator made no ConfirmationToken: {answer}")
        return answer["id"]

    def _to_stripe(self, path: str, body: str, headers: dict) -> tuple[int, dict]:
        """POST to the simulator on this thread's kept connection (HTTP/1.1, as a browser keeps
        one to Stripe): the harness spends its CPU on orders, not on opening connections."""
        conn = getattr(self._stripe, "connection", None)
        if conn is None:
            conn = self._stripe.connection = http.client.HTTPConnection(
                self.simulator.hostname, self.simulator.port, timeout=load.REQUEST_TIMEOUT
            )
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        except BaseException:
            conn.close()
            self._stripe.connection = None
            raise

    def _expect(
        self, browser, method: str, url: str, data: dict | None, wanted: int, **where
    ) -> str | None:
        status = browser.request(method, url, data, **where)
        if status == wanted:
            return None
        if self._redirected_to(browser, "basket"):  # a line no longer available: Oscar's check
            return SOLD_OUT
        raise OrderFailed(f"{method} {url} answered {status} {browser.location}".rstrip())

    def _redirected_to(self, browser, name: str) -> bool:
        return bool(browser.location) and urlsplit(browser.location).path == self.urls[name]

    @staticmethod
    def _field(browser, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"'.encode(), browser.body)
        if found is None:
            raise OrderFailed(f"the review page has no {name} field")
        return html.unescape(found[1].decode())


class OrderStream:
    """Orders at a steady `rate` per second from background threads, while the pages are loaded.
    Leaving the `with` block stops it: orders not started are dropped, started ones finish.

    With `buy_another`, a shopper whom a sold-out product turns away buys a plentiful one
    instead (a new visit to its page): every order of the stream is placed, so `rate` is of
    orders placed, as a drop's target counts them, and the scarce products still turn shoppers
    away once they are gone (`turned_away`). Without it, such an order ends sold out."""

    def __init__(
        self,
        placer: OrderPlacer,
        items: list[Buyable],
        *,
        rate: float,
        seed: int = 16,
        buy_another: bool = False,
    ):
        self.placer = placer
        self.items = items
        self.instead = [item for item in items if not item.scarce] if buy_another else []
        self.rate = rate
        self.outcomes: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.seconds: list[float] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(ORDER_THREADS, thread_name_prefix="bench-order")
        self._pacer = threading.Thread(target=self._pace, name="bench-order-pacer", daemon=True)
        self.asked = 0  # orders the pacer handed to the threads
        self.done = 0  # orders finished, whatever their outcome
        self.turned_away = 0  # of them, by a sold-out product first (with `buy_another`)
        self.elapsed = 0.0  # seconds the pacer ran: while the pages were loaded

    def __enter__(self):
        self._started = monotonic()
        self._pacer.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self.elapsed = monotonic() - self._started
        self._pacer.join()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _pace(self) -> None:
        while not self._stop.wait(max(0.0, self._started + self.asked / self.rate - monotonic())):
            item = self._random.choice(self.items)
            instead = self._random.choice(self.instead) if self.instead else None
            self._pool.submit(self._one, item, instead)
            self.asked += 1

    def _one(self, item: Buyable, instead: Buyable | None = None) -> None:
        started = perf_counter()
        try:
            outcome = self.placer.place(item)
            if outcome == SOLD_OUT and instead is not None:
                with self._lock:
                    self.turned_away += 1
                outcome = self.placer.place(instead)
        except (OrderFailed, OSError, ValueError) as exc:
            with self._lock:
                self.outcomes["failed"] += 1
                self.failures[str(exc)[:200]] += 1
                self.done += 1
            return
        with self._lock:
            self.outcomes[outcome] += 1
            self.done += 1
            self.seconds.append(perf_counter() - started)

    def summary(self, phase: str) -> dict:
        done = sum(self.outcomes.values())
        ms = [s * 1000 for s in self.seconds]
        return {
            "phase": phase,
            "rate": self.rate,
            "asked": self.asked,
            "orders": done,
            "placed": self.outcomes[PLACED],
            "sold_out": self.outcomes[SOLD_OUT],
            "turned_away": self.turned_away,
            "failed": self.outcomes["failed"],
            "per_second": round(done / self.elapsed, 2) if self.elapsed else 0.0,
            "p50_ms": report.percentile(ms, 50) if ms else None,
            "failures": dict(self.failures),
        }


# --- The run -----------------------------------------------------------------------------------


def phase_name(rate: float, *, again: bool = False) -> str:
    if rate:
        return f"{rate:g} orders/s"
    return QUIET_AGAIN if again else QUIET


def quiet_per_page(rows: list[dict], value) -> dict[str, float]:
    """Per page, `value(rows)` of its quiet rows (both quiet phases, when the run had both)."""
    quiet: dict[str, list[dict]] = {}
    for row in rows:
        if row["phase"] in QUIET_PHASES:
            quiet.setdefault(row["kind"], []).append(row)
    return {kind: value(found) for kind, found in quiet.items()}


def run(
    *,
    rates: list[float],
    duration: float,
    warmup: float,
    connections: int,
    workers: int,
    tool: str,
    out: Path,
    stdout,
    allow_sqlite: bool = False,
    threads: int = 1,
    stripe_latency_ms: float = 0.0,
    checkout_workers: int = 0,
    checkout_threads: int = 4,
) -> dict:
    """The top rate's orders alone, then every page quiet, at each order rate and quiet again; write
    var/bench/drop-<size>-<vendor>.txt/.json. `stripe_latency_ms`: how long the simulator takes
    to answer each of the shop's calls (Stripe's servers take hundreds of milliseconds, during
    which a sync worker serves nothing else). With `checkout_workers`, the checkout and Stripe's
    webhooks have a gunicorn of their own (that many workers of `checkout_threads` threads), as
    a proxy routing by path would give them; the pages' server serves only pages."""
    check_requirements(allow_sqlite=allow_sqlite)
    flush_redis()
    machine = report.machine()  # before the run: its load average is the other work's
    tool = load.load_tool(tool, stdout=stdout)
    items, before = prepare_stock(stdout=stdout)
    secret_key = secrets.token_urlsafe(50)
    env = load.production_env(secret_key)
    load.collect_static_if_stale(env, stdout=stdout)
    pages = [
        page for page in scenarios.pages(PAGE_KINDS, with_basket=set()) if page.kind != "floor"
    ]
    out.mkdir(parents=True, exist_ok=True)
    stdout.write(
        f"Starting gunicorn ({_servers_words(workers, threads, checkout_workers, checkout_threads)}) "
        f"on {load.HOST}; load by {tool}, "
        f"{connections} connections, {duration:g} s per page and phase; orders at "
        f"{', '.join(phase_name(r) for r in rates)}…"
    )
    rows, orders = [], []
    since = timezone.now()
    simulator = Simulator(webhook_events=ENABLED_EVENTS, latency=stripe_latency_ms / 1000)
    with serve(simulator) as stripe:
        env |= {
            "SHOP_BENCH_STRIPE_SIMULATOR": "1",  # shop/devtools/bench/settings.py
            "STRIPE_SIMULATOR_URL": stripe.url,
            "STRIPE_SECRET_KEY": "",
            "REDIS_URL": settings.REDIS_URL,
        }
        with (
            load._sigterm_stops_the_run(),
            load.gunicorn(
                workers=workers, threads=threads, env=env, log_path=out / "gunicorn.log"
            ) as port,
            _checkout_server(
                checkout_workers, checkout_threads, env=env, log_path=out / "gunicorn-checkout.log"
            ) as checkout_port,
        ):
            servers = (port, checkout_port) if checkout_port else (port,)
            stripe.simulator.webhook_urls = (
                f"http://{load.HOST}:{servers[-1]}{reverse('stripe-webhook')}",
            )
            placer = OrderPlacer(port, simulator_url=stripe.url, checkout_port=checkout_port)
            placed = warm_up_checkout(
                placer,
                items,
                servers=checkout_workers * checkout_threads if checkout_port else workers * threads,
            )
            stdout.write(f"Checkout warmed up: {placed} orders placed before anything is timed.")
            alone = None
            if rates:
                alone = orders_alone(
                    placer, items, rate=max(rates), seconds=duration * len(pages), servers=servers
                )
                orders.append(alone["orders"])
                stdout.write(f"  {_alone_line(alone)}")
                # The scarce products sold out alone: they sell out again during the drop.
                since = timezone.now()
                items, before = prepare_stock()
            reader = load.HttpShopper(port)  # anonymous: no cookies
            phases = [0, *rates, 0]
            for phase, rate in enumerate(phases):
                name = phase_name(rate, again=phase == len(phases) - 1)
                stream = OrderStream(placer, items, rate=rate, buy_another=True) if rate else None
                with stream or nullcontext():
                    # Each phase starts with another page: not always the catalogue while the
                    # scarce products sell out.
                    for page in pages[phase % len(pages) :] + pages[: phase % len(pages)]:
                        row = _measured_page(
                            tool, servers, page, reader, connections, duration, warmup, stream
                        )
                        row["phase"] = name
                        rows.append(row)
                        stdout.write(
                            f"  {row['label']}, {row['phase']}: {row['rps']:.1f} req/s, "
                            f"p99 {row['p99_ms'] or 0:.1f} ms, server CPU "
                            f"{row['cpu_s']:.2f} s, page cache {_cache_line(row['page_cache'])}"
                        )
                if stream is not None:
                    orders.append(stream.summary(name))
                    stdout.write(f"  orders, {name}: {_orders_line(orders[-1])}")
            stripe.simulator.wait_for_deliveries(timeout=30)
        stripe.simulator.close()
    accepted = {d.event_id for d in stripe.simulator.deliveries if 200 <= (d.status or 0) < 300}
    refused = {d.event_id for d in stripe.simulator.deliveries} - accepted
    problems = check_stock(before=before, since=since)
    rows = judge(rows)
    result = {
        "kind": "drop",
        "size": size_label(synthetic_count()),
        "products": Product.objects.count(),
        "workers": workers,
        "threads": threads,
        "stripe_latency_ms": stripe_latency_ms,
        "checkout_workers": checkout_workers,
        "checkout_threads": checkout_threads,
        "connections": connections,
        "duration": duration,
        "warmup": warmup,
        "tool": tool,
        "rates": rates,
        "machine": machine,
        "rows": rows,
        "orders": orders,
        "orders_cpu": orders_cpu(rows),
        "cores": cores_used(rows),
        "orders_alone": alone,
        "webhooks": {"accepted": len(accepted), "refused": len(refused)},
        "stock_problems": problems,
    }
    name = f"drop-{result['size']}-{connection.vendor}"
    result["files"] = [str(out / f"{name}.txt"), str(out / f"{name}.json")]
    report.write(out, name, result, drop_text(result))
    return result


def orders_alone(placer, items: list[Buyable], *, rate: float, seconds: float, servers) -> dict:
    """Orders at `rate` for `seconds` with no page loaded, and what the machine spent meanwhile:
    all its busy CPU, the servers' (`servers`: their ports), this process's (the placer and the
    Stripe simulator) and the rest (PostgreSQL, Redis and anything else running). Measured from
    the first order until the last one started has finished."""
    server, machine, own = server_cpu_seconds(*servers), machine_busy_seconds(), own_cpu_seconds()
    started = monotonic()
    with OrderStream(placer, items, rate=rate, buy_another=True) as stream:
        sleep(seconds)
    cost = alone_cost(
        elapsed_s=monotonic() - started,
        orders=stream.done,
        machine_cpu_s=machine_busy_seconds() - machine,
        server_cpu_s=server_cpu_seconds(*servers) - server,
        bench_cpu_s=own_cpu_seconds() - own,
    )
    return cost | {"orders": stream.summary(ORDERS_ALONE)}


def alone_cost(
    *, elapsed_s: float, orders: int, machine_cpu_s: float, server_cpu_s: float, bench_cpu_s: float
) -> dict:
    """The cores each part kept busy, and its CPU milliseconds an order."""
    rest_cpu_s = max(0.0, machine_cpu_s - server_cpu_s - bench_cpu_s)
    parts = {
        "machine": machine_cpu_s,
        "server": server_cpu_s,
        "bench": bench_cpu_s,
        "rest": rest_cpu_s,
    }
    return {
        "elapsed_s": round(elapsed_s, 2),
        "cores": {part: round(cpu / elapsed_s, 2) for part, cpu in parts.items()},
        "ms_per_order": {
            part: round(cpu / orders * 1000, 1) if orders else None for part, cpu in parts.items()
        },
    }


def pages_left(quiet_machine_cores: float, orders_machine_cores: float) -> float | None:
    """The share of the pages' quiet work the machine has left once the orders alone take theirs:
    about what each page keeps while those orders come in (less when the two get in each other's
    way, more when the orders cost less among the pages than alone)."""
    if quiet_machine_cores <= 0:
        return None
    return max(0.0, quiet_machine_cores - orders_machine_cores) / quiet_machine_cores


def _alone_line(alone: dict) -> str:
    o, cores, ms = alone["orders"], alone["cores"], alone["ms_per_order"]
    return (
        f"orders alone: {_orders_line(o)}; the machine {cores['machine']:.2f} cores busy, "
        f"{ms['machine'] or 0:.1f} ms of CPU an order (server {ms['server'] or 0:.1f})"
    )


@contextmanager
def _checkout_server(workers: int, threads: int, *, env: dict[str, str], log_path: Path):
    """The checkout's own gunicorn when it has `workers`, its port; else None (the pages' server
    takes the orders too)."""
    if not workers:
        yield None
        return
    with load.gunicorn(workers=workers, threads=threads, env=env, log_path=log_path) as port:
        yield port


def _servers_words(workers: int, threads: int, checkout_workers: int, checkout_threads: int) -> str:
    pages = load.server_words(workers, threads)
    if not checkout_workers:
        return pages
    checkout = load.server_words(checkout_workers, checkout_threads)
    return f"{pages} for the pages, {checkout} for the checkout and Stripe's webhooks"


def warm_up_checkout(placer, items: list[Buyable], *, servers: int) -> int:
    """Two orders of a plentiful product per worker (or thread), at once so that each is reached,
    before anything is timed; the number placed. A worker's first checkout loads what the
    checkout needs (its templates, classes, the Stripe client) once per process: a shop in a
    drop did that long before, and the pages' warm-up does the same for them."""
    plentiful = next(item for item in items if not item.scarce)
    with ThreadPoolExecutor(servers) as pool:
        outcomes = list(pool.map(lambda _: placer.place(plentiful), range(2 * servers)))
    return outcomes.count(PLACED)


def _measured_page(tool, servers, page, reader, connections, duration, warmup, stream) -> dict:
    """One page's load (load._load_page) on the first of `servers` (their ports), with what the
    servers did meanwhile: the CPU seconds their processes used, how the page cache served the
    page (its path's counts, shop.pagecache.middleware.count) and the orders completed. The
    warm-up runs before, outside these counts."""
    port = servers[0]
    if warmup > 0:
        load.drive(
            "python",
            port,
            page.url,
            cookie=reader.cookie_header(),
            connections=min(connections, load.WARMUP_CONNECTIONS),
            duration=warmup,
        )
    cpu, counts = server_cpu_seconds(*servers), page_cache_counts(page.url)
    machine, own = machine_busy_seconds(), own_cpu_seconds()
    orders = stream.done if stream is not None else 0
    row = load._load_page(tool, port, page, reader, connections, duration, 0)
    row["cpu_s"] = round(server_cpu_seconds(*servers) - cpu, 3)
    row["machine_cpu_s"] = round(machine_busy_seconds() - machine, 3)
    row["bench_cpu_s"] = round(own_cpu_seconds() - own, 3)
    after = page_cache_counts(page.url)
    row["page_cache"] = {outcome: after[outcome] - counts[outcome] for outcome in after}
    row["orders_done"] = (stream.done if stream is not None else 0) - orders
    return row


def server_cpu_seconds(*ports: int) -> float:
    """CPU seconds (user and system) the gunicorns serving `ports` have used so far, their
    masters and workers, from /proc (Linux)."""
    # NUL-terminated, as /proc's cmdline ends each argument: port 4123 is not port 41234.
    markers = [f"--bind={load.HOST}:{port}\0".encode() for port in ports]
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
            if not any(marker in cmdline for marker in markers):
                continue
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: stat's 14th and 15th
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy so far (user, nice, system, interrupts; not idle,
    not waiting for I/O, not stolen by the hypervisor), from /proc/stat (Linux)."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in first[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """This process's CPU seconds so far, every thread's: the order placer and the Stripe
    simulator (and the load itself when the Python generator drives it instead of wrk)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cores_used(rows: list[dict]) -> list[dict]:
    """Per phase, where the machine's busy cores went while its pages were loaded: the server
    (gunicorn), this process (the order placer and the Stripe simulator) and the rest (wrk,
    PostgreSQL, Redis and anything else running), each in cores (CPU seconds per second)."""
    phases = []
    for phase in dict.fromkeys(row["phase"] for row in rows):
        measured = [row for row in rows if row["phase"] == phase and "machine_cpu_s" in row]
        elapsed = sum(row["elapsed_s"] for row in measured)
        if not elapsed:
            continue
        machine, server, bench = (
            sum(row[key] for row in measured) / elapsed
            for key in ("machine_cpu_s", "cpu_s", "bench_cpu_s")
        )
        phases.append(
            {
                "phase": phase,
                "machine": round(machine, 2),
                "server": round(server, 2),
                "bench": round(bench, 2),
                "rest": round(max(0.0, machine - server - bench), 2),
            }
        )
    return phases


def page_cache_counts(url: str) -> dict[str, int]:
    """How the page cache has served the page at `url` so far (its path's counts)."""
    keys = {outcome: count_key(outcome, urlsplit(url).path) for outcome in COUNTED}
    found = cache.get_many(list(keys.values()))
    return {outcome: int(found.get(key) or 0) for outcome, key in keys.items()}


def orders_cpu(rows: list[dict]) -> list[dict]:
    """Per phase with orders: the server CPU the orders took, estimated as the phase's CPU less
    what its pages' requests cost when quiet (same page, CPU per request), per order done.

    The margin is how far that quiet cost moved between the two quiet phases (half their
    difference, at the phase's requests), per order: at one order a second it is often larger
    than the orders' cost, which is then lost in the machine's drift."""
    quiet = quiet_per_page(
        rows,
        lambda found: sum(r["cpu_s"] for r in found) / (sum(r["requests"] for r in found) or 1),
    )
    spread = quiet_per_page(rows, _half_range_of_cpu_per_request)
    phases = []
    for phase in dict.fromkeys(row["phase"] for row in rows if row["phase"] not in QUIET_PHASES):
        measured = [row for row in rows if row["phase"] == phase]
        cpu = sum(row["cpu_s"] for row in measured)
        pages_cpu = sum(row["requests"] * quiet.get(row["kind"], 0.0) for row in measured)
        margin = sum(row["requests"] * spread.get(row["kind"], 0.0) for row in measured)
        done = sum(row["orders_done"] for row in measured)
        elapsed = sum(row["elapsed_s"] for row in measured)
        phases.append(
            {
                "phase": phase,
                "cpu_s": round(cpu, 2),
                "pages_cpu_s": round(pages_cpu, 2),
                "orders": done,
                "cores_busy": round(cpu / elapsed, 2) if elapsed else None,
                "cpu_ms_per_order": round((cpu - pages_cpu) / done * 1000, 1) if done else None,
                "margin_ms_per_order": round(margin / done * 1000, 1) if done else None,
            }
        )
    return phases


def _half_range_of_cpu_per_request(found: list[dict]) -> float:
    costs = [row["cpu_s"] / (row["requests"] or 1) for row in found]
    return (max(costs) - min(costs)) / 2


def _per_order_text(o: dict) -> str:
    value, margin = o["cpu_ms_per_order"], o.get("margin_ms_per_order") or 0.0
    if value is None:
        return "—"
    if not margin:
        return f"{value:.0f}"
    if value <= margin:  # the orders' cost is lost in the quiet phases' drift
        return f"within ± {margin:.0f}"
    return f"{value:.0f} ± {margin:.0f}"


def _cache_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {outcome}" for outcome, n in counts.items() if n) or "unused"


# --- The verdicts and the table ----------------------------------------------------------------


def judge(rows: list[dict]) -> list[dict]:
    """Each row's share of the same page's quiet requests/s (the mean of its quiet phases), its
    target and whether it is met.
    Target pages: 0 errors and p99 < MAX_P99_MS in every phase, and MIN_QUIET_SHARE of quiet
    while orders come in (at every rate: the issue asks it at 10 orders/s); others: 0 errors."""
    quiet = quiet_per_page(rows, lambda found: sum(r["rps"] for r in found) / len(found))
    for row in rows:
        ordering = row["phase"] not in QUIET_PHASES
        row["quiet_share"] = (
            round(row["rps"] / quiet[row["kind"]], 4) if quiet.get(row["kind"]) else None
        )
        met = row["errors"] == 0 and row["requests"] > 0
        if row["kind"] in TARGET_KINDS:
            met = met and row["p99_ms"] is not None and row["p99_ms"] < MAX_P99_MS
            parts = [f"p99 < {MAX_P99_MS:.0f} ms", "0 errors"]
            if ordering:
                met = met and (row["quiet_share"] or 0) >= MIN_QUIET_SHARE
                parts.insert(0, f"≥ {MIN_QUIET_SHARE:.0%} quiet")
            row["target"] = ", ".join(parts)
        else:
            row["target"] = "0 errors"
        row["target_met"] = met
        row.pop("floor_share", None)
    return rows


def drop_text(result: dict) -> str:
    rows = [
        [
            row["label"],
            row["phase"],
            f"{row['rps']:.1f}",
            report._ms(row["p50_ms"]),
            report._ms(row["p99_ms"]),
            f"{row['errors']:,}",
            "—" if row["quiet_share"] is None else f"{row['quiet_share']:.0%}",
            f"{row['cpu_s'] / row['requests'] * 1000:.2f}" if row.get("requests") else "—",
            f"{row['page_cache'].get('hit', 0):,}",
            f"{row['page_cache'].get('built', 0):,}",
            f"{row['page_cache'].get('stock-read', 0):,}",
            row["target"],
            report.verdict(row["target_met"]),
        ]
        for row in result["rows"]
    ]
    header = [
        "page",
        "phase",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "of quiet",
        "CPU ms/req",
        "hits",
        "built",
        "stock reads",
        "target",
        "",
    ]
    cpu_rows = [
        [
            o["phase"],
            f"{o['cpu_s']:.2f}",
            f"{o['pages_cpu_s']:.2f}",
            f"{o['orders']:,}",
            "—" if o["cores_busy"] is None else f"{o['cores_busy']:.2f}",
            _per_order_text(o),
        ]
        for o in result.get("orders_cpu", [])
    ]
    cpu_header = [
        "server CPU",
        "phase s",
        "pages' share s",
        "orders done",
        "cores busy",
        "CPU ms per order",
    ]
    cores_rows = [
        [
            c["phase"],
            f"{c['machine']:.2f}",
            f"{c['server']:.2f}",
            f"{c['bench']:.2f}",
            f"{c['rest']:.2f}",
        ]
        for c in result.get("cores", [])
    ]
    cores_header = ["cores busy", "machine", "server", "placer + simulator", "rest"]
    alone_text = _alone_text(result.get("orders_alone"), result.get("cores", []))
    order_rows = [
        [
            o["phase"],
            f"{o['asked']:,}",
            f"{o['orders']:,}",
            f"{o['per_second']:.2f}",
            f"{o['placed']:,}",
            f"{o.get('turned_away', 0):,}",
            f"{o['sold_out']:,}",
            f"{o['failed']:,}",
        ]
        for o in result["orders"]
    ]
    order_header = [
        "orders",
        "asked",
        "done",
        "per s",
        "placed",
        "turned away first",
        "sold out",
        "failed",
    ]
    pages_met = all(row["target_met"] for row in result["rows"])
    webhooks = result["webhooks"]
    orders_met = (
        bool(result["orders"])
        and all(o["failed"] == 0 and o["placed"] > 0 for o in result["orders"])
        and webhooks["refused"] == 0
    )
    stock_met = not result["stock_problems"]
    lines = [
        "Drop benchmark: gunicorn, "
        + _servers_words(
            result["workers"],
            result.get("threads", 1),
            result.get("checkout_workers", 0),
            result.get("checkout_threads", 4),
        )
        + " on 127.0.0.1, "
        f"{result['connections']} connections, {result['duration']:g} s per page and phase "
        f"(after {result['warmup']:g} s warm-up), load by {result['tool']}; "
        f"{result['products']:,} products; guest orders through the checkout and the Stripe "
        f"simulator ({_stripe_words(result.get('stripe_latency_ms', 0))}), over HTTP, while the "
        "pages are loaded.",
        report.machine_line(result["machine"]),
        "",
        report.table(header, rows),
        "",
        report.table(order_header, order_rows),
        "",
        report.table(cpu_header, cpu_rows),
        "",
        *(
            [
                report.table(cores_header, cores_rows),
                "",
                f"Cores busy, of the machine's {result['machine']['cpu_count']}: all its busy "
                "CPU (/proc/stat), the server's (gunicorn), this process's (the order placer "
                "and the Stripe simulator: work a real drop's shoppers and Stripe do elsewhere) "
                "and the rest (wrk, PostgreSQL, Redis, anything else running), while the "
                "phase's pages were loaded.",
                "",
            ]
            if cores_rows
            else []
        ),
        *alone_text,
        "Of quiet: of the mean of the page's two quiet phases, before and after the orders, "
        "which bracket the order phases against a machine that drifts during the run.",
        "",
        "Server CPU: the gunicorn processes' user + system seconds while each page was loaded "
        "(/proc; warm-up excluded); CPU ms/req is that over the page's requests (with the "
        "orders' share in an order phase). The pages' share of an order phase is each page's "
        "requests at its quiet CPU per request (both quiet phases); the rest, over the orders done meanwhile, is "
        "the CPU per order (its checkout requests and Stripe's webhooks), ± half the difference "
        "between the page's two quiet phases' CPU per request at the phase's requests: how far "
        'the quiet cost moved during the run ("within" when the orders\' cost is no larger). '
        "Hits, built and stock "
        "reads: how the page cache served the page's requests (a fresh entry; a render; a "
        "fresh entry whose stock words were read again after a sale).",
        "",
        f"Pages: {report.verdict(pages_met)} (listing, search and product pages keep "
        f"{MIN_QUIET_SHARE:.0%} of their quiet req/s with p99 under {MAX_P99_MS:.0f} ms while "
        "orders come in; 0 errors on every page).",
        f"Orders: {report.verdict(orders_met)} (some placed in every phase, none failed; "
        "a shopper a sold-out scarce product turned away first buys a plentiful one instead, "
        "so the orders done are orders placed; done per second is of the time the pages were "
        "loaded; Stripe's webhooks: "
        f"{webhooks['accepted']:,} accepted, {webhooks['refused']:,} refused).",
        f"Stock: {report.verdict(stock_met)} (nothing oversold; allocations reconcile with the "
        "order lines placed during the run).",
    ]
    lines += [f"! stock: {problem}" for problem in result["stock_problems"]]
    for o in result["orders"]:
        if o["per_second"] < SLOW_ORDERS * o["rate"]:
            lines.append(
                f"! orders, {o['phase']}: {o['per_second']:.2f} orders/s done of the "
                f"{o['rate']:g} asked ({o['asked'] - o['orders']:,} not started when the phase "
                "ended): the server, not the order rate, set the pace"
            )
        lines += [f"! orders, {o['phase']}: {k} ({n}x)" for k, n in sorted(o["failures"].items())]
    for row in result["rows"]:
        if row["error_kinds"]:
            kinds = ", ".join(f"{k}: {n}" for k, n in sorted(row["error_kinds"].items()))
            lines.append(f"! {row['label']}, {row['phase']}: {kinds}")
    return "\n".join(lines) + "\n"


def _alone_text(alone: dict | None, cores: list[dict]) -> list[str]:
    """The orders-alone table and what it leaves the pages, with a blank line after; nothing for
    a run without it."""
    if not alone:
        return []
    o, busy, ms = alone["orders"], alone["cores"], alone["ms_per_order"]
    header = ["orders alone", "machine", "server", "placer + simulator", "rest"]
    rows = [
        ["cores busy", *(f"{busy[part]:.2f}" for part in ("machine", "server", "bench", "rest"))],
        [
            "CPU ms an order",
            *(
                "—" if ms[part] is None else f"{ms[part]:.1f}"
                for part in ("machine", "server", "bench", "rest")
            ),
        ],
    ]
    quiet = [c["machine"] for c in cores if c["phase"] in QUIET_PHASES]
    quiet_machine = sum(quiet) / len(quiet) if quiet else 0.0
    left = pages_left(quiet_machine, busy["machine"])
    words = [
        f"Orders alone: {o['rate']:g} orders/s for {alone['elapsed_s']:.0f} s before any page "
        f"was loaded ({_outcomes_words(o)}), and what they kept busy."
    ]
    if left is not None:
        words.append(
            f"Quiet, the pages kept the machine {quiet_machine:.2f} cores busy; less the orders' "
            f"{busy['machine']:.2f}, that leaves them about {left:.0%} of their quiet work at "
            f"{o['rate']:g} orders/s: a guide to each page's share, which comes out higher "
            "when the orders' requests cost the server less among the pages' than "
            "alone (their CPU ms per order in the server CPU table)."
        )
    return [report.table(header, rows), "", " ".join(words), ""]


def _stripe_words(latency_ms: float) -> str:
    if not latency_ms:
        return "answering at once"
    return f"answering each of the shop's calls after {latency_ms:g} ms"


def _orders_line(summary: dict) -> str:
    return f"{summary['orders']} done ({summary['per_second']:.2f}/s): {_outcomes_words(summary)}"


def _outcomes_words(summary: dict) -> str:
    turned_away = summary.get("turned_away", 0)
    first = f" ({turned_away:,} after a sold-out product turned the shopper away)"
    return (
        f"{summary['placed']:,} placed{first if turned_away else ''}, "
        f"{summary['sold_out']:,} sold out, {summary['failed']:,} failed"
    )
