"""`manage.py soak` (`make soak`): the shop as production runs it, for a bounded time under a steady
load, then its books checked. Two gunicorn instances (deploy/gunicorn.conf.py, DEBUG off), one task
worker, Redis, the Stripe simulator and a mail sink, on a PostgreSQL database of its own made for
the run and dropped after it. A few readers browse both instances while guest orders go through the
checkout at a fixed rate (drop.py's OrderPlacer, alternating between the instances).

It measures what grows or leaks over time: each gunicorn worker's memory (RSS from /proc, after a
warm-up and at the end), the most database connections open at once against what the servers may
open, ERROR and traceback lines in every process's log, and the reconciliation of orders, stock,
payments and e-mails. One table; the command exits non-zero when a target is missed.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import re
import runpy
import secrets
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.devtools.smtp_sink import SMTPSink
from shop.devtools.stripe_simulator import Simulator, serve
from shop.payments.models import PaymentAttempt
from shop.payments.money import minor_units
from shop.payments.webhooks import ENABLED_EVENTS

from . import drop, load, report
from .common import BenchError

try:
    import psutil
except ImportError:
    psutil = None

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

GUNICORN_CONF = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
INSTANCES = ("A", "B")
MAX_GROWTH = 0.10  # of a worker's memory after the warm-up
SAMPLE_EVERY = 1.0  # seconds between looks at pg_stat_activity
DRAIN_SECONDS = 60  # after the load: for webhooks and queued e-mails to go out
SEARCH_WORDS = ("pin", "plush", "figure", "keychain", "poster", "naruto")
# Every process the soak starts names itself to PostgreSQL (libpq reads PGAPPNAME), so its
# connections are told apart from the soak's own.
APP_NAME = "soak-{}"
ERROR_LINE = re.compile(r"\bERROR\b|\bCRITICAL\b|^Traceback \(most recent call last\)")


# --- The verdict (pure: tested in tests/test_soak.py) -------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One row of the table."""

    name: str
    target: str
    observed: str
    met: bool | None  # None: shown, not judged


def memory_measures(start: dict[str, int], end: dict[str, int]) -> list[Measure]:
    """Each worker's RSS growth from `start` to `end` (bytes by worker label) against MAX_GROWTH.
    A worker gunicorn replaced meanwhile (max_requests) has no end figure: shown, not judged; with
    no worker measured at both ends, memory is not measured, which is a miss."""
    rows = []
    for label, before in start.items():
        after = end.get(label)
        if after is None:
            rows.append(Measure(f"memory, {label}", f"< {MAX_GROWTH:.0%} growth", "replaced", None))
            continue
        growth = (after - before) / before
        rows.append(
            Measure(
                f"memory, {label}",
                f"< {MAX_GROWTH:.0%} growth",
                f"{_mib(before)} → {_mib(after)} MiB ({growth:+.1%})",
                growth < MAX_GROWTH,
            )
        )
    if not any(row.met is not None for row in rows):
        rows.append(Measure("memory", "a worker measured at both ends", "none", False))
    return rows


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f}"


def connection_measure(most: int, *, instances: int, workers: int, threads: int) -> Measure:
    """A thread keeps one connection (CONN_MAX_AGE), the task worker one: no more may be open."""
    limit = instances * workers * threads + 1
    return Measure(
        "database connections, most at once",
        f"≤ {limit} ({instances} instances x {workers} workers x {threads} threads + task worker)",
        str(most),
        most <= limit,
    )


def error_lines(text: str) -> list[str]:
    """The lines of a log that say ERROR or CRITICAL (Django's and gunicorn's formats) or start a
    traceback."""
    return [line for line in text.splitlines() if ERROR_LINE.search(line)]


def error_measure(found: dict[str, list[str]]) -> Measure:
    each = ", ".join(f"{name} {len(lines)}" for name, lines in found.items())
    total = sum(len(lines) for lines in found.values())
    return Measure("error lines in the logs", "0", f"{total} ({each})", total == 0)


def order_measures(orders: dict, *, in_database: int, duplicates: list[str]) -> list[Measure]:
    """`orders` is drop.OrderStream.summary(): every order answered by a redirect (placed, or sold
    out for the scarce products), each placed one in the database once."""
    not_started = orders["asked"] - orders["orders"]
    answered = (
        f"{orders['orders']:,} done of {orders['asked']:,} asked: {orders['placed']:,} placed, "
        f"{orders['sold_out']:,} sold out, {orders['failed']:,} failed"
        + (f", {not_started:,} not started" if not_started else "")
    )
    return [
        Measure(
            "orders answered",
            "0 failed, some placed",
            answered,
            orders["failed"] == 0 and orders["placed"] > 0,
        ),
        Measure(
            "orders in the database",
            f"= placed ({orders['placed']:,})",
            f"{in_database:,}",
            in_database == orders["placed"],
        ),
        Measure(
            "duplicate orders",
            "0",
            str(len(duplicates)),
            not duplicates,
        ),
    ]


def table(measures: list[Measure]) -> str:
    rows = [[m.name, m.target, m.observed, report.verdict(m.met)] for m in measures]
    return report.table(["measure", "target", "observed", ""], rows)


def passed(measures: list[Measure]) -> bool:
    return all(m.met is not False for m in measures)


# --- The books (queries: tested on a tiny database in tests/test_soak.py) ------------------------


def duplicate_orders() -> list[str]:
    """Baskets or payments that became more than one order, in words."""
    baskets = (
        Order.objects.exclude(basket=None)
        .values("basket")
        .annotate(orders=Count("pk"))
        .filter(orders__gt=1)
        .order_by("basket")
    )
    payments = (
        PaymentAttempt.objects.exclude(payment_intent_id="")
        .exclude(order=None)
        .values("payment_intent_id")
        .annotate(orders=Count("order", distinct=True))
        .filter(orders__gt=1)
        .order_by("payment_intent_id")
    )
    return [f"basket {row['basket']}: {row['orders']} orders" for row in baskets] + [
        f"payment {row['payment_intent_id']}: {row['orders']} orders" for row in payments
    ]


def payments_measure(payment_intents: dict[str, dict]) -> Measure:
    """Money taken (the simulator's captured PaymentIntents) against the orders' totals."""
    captured = [pi for pi in payment_intents.values() if pi["status"] == "succeeded"]
    taken = sum(pi["amount_received"] for pi in captured)
    totals = Order.objects.values("currency").annotate(total=Sum("total_incl_tax"))
    owed = sum(minor_units(row["total"] or Decimal(0), row["currency"]) for row in totals)
    orders = Order.objects.count()
    return Measure(
        "payments captured",
        "one per order, amounts equal",
        f"{len(captured):,} for {orders:,} orders; {taken:,} = {owed:,} cents"
        if taken == owed
        else f"{len(captured):,} for {orders:,} orders; {taken:,} ≠ {owed:,} cents",
        len(captured) == orders and taken == owed,
    )


# --- The processes -------------------------------------------------------------------------------


def worker_rss(master_pid: int) -> dict[int, int]:
    """RSS in bytes of each worker (child process) of a gunicorn master: psutil's figure when it
    is installed (it is not a dependency), else /proc's (Linux)."""
    if psutil is not None:
        found = {}
        for child in psutil.Process(master_pid).children():
            try:
                found[child.pid] = child.memory_info().rss
            except psutil.NoSuchProcess:  # it ended meanwhile
                continue
        return found
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:  # it ended meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0")) == master_pid and "VmRSS" in fields:
            found[int(entry.name)] = int(fields["VmRSS"].split()[0]) * 1024
    return found


def all_worker_rss(masters: dict[str, int]) -> dict[str, int]:
    return {
        f"app {name} worker {pid}": rss
        for name, master in masters.items()
        for pid, rss in sorted(worker_rss(master).items())
    }


def gunicorn_sizes() -> tuple[int, int]:
    """Workers and threads per instance, as deploy/gunicorn.conf.py sets them here (its
    GUNICORN_* environment variables pass through to the servers)."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    return conf["workers"], conf["threads"]


def connections_now(db_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
            [db_name, APP_NAME.format("%")],
        )
        return cursor.fetchone()[0]


def database_url(name: str) -> str:
    """DATABASE_URL with another database name: the servers' way to the soak's database."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- The load ------------------------------------------------------------------------------------


def browse_urls() -> list[str]:
    """What the readers open: the catalogue, every category, every product, searches, articles."""
    from blog.models import Post

    urls = [reverse("catalogue:index"), f"{reverse('catalogue:index')}?page=2"]
    urls += [c.get_absolute_url() for c in Category.objects.all()]
    urls += [p.get_absolute_url() for p in Product.objects.filter(is_public=True)[:200]]
    urls += [f"{reverse('search:search')}?q={word}" for word in SEARCH_WORDS]
    urls += [post.get_absolute_url() for post in Post.objects.published()]
    return urls


class Readers:
    """`count` anonymous readers, each opening a page every `pause` seconds, on each instance in
    turn; every answer that is not a 200 is counted with its kind."""

    def __init__(self, ports: list[int], urls: list[str], *, count: int, pause: float):
        self.ports, self.urls, self.pause = ports, urls, pause
        self.requests = 0
        self.errors: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._read, args=(n,), name=f"soak-reader-{n}", daemon=True)
            for n in range(count)
        ]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _read(self, n: int) -> None:
        # Every page in turn, in an order of the reader's own: each page is served (and so every
        # cache and template it needs is built) early in the warm-up, not at random later.
        urls = self.urls[:]
        random.Random(n).shuffle(urls)
        for port, url in zip(itertools.cycle(self.ports), itertools.cycle(urls)):
            if self._stop.wait(self.pause):
                return
            try:
                status = load.HttpShopper(port).request("GET", url)  # no cookies: a new reader
                error = None if status == 200 else f"HTTP {status} {url}"
            except OSError as exc:
                error = f"{type(exc).__name__} {url}"
            with self._lock:
                self.requests += 1
                if error:
                    self.errors[error] += 1

    def measure(self) -> Measure:
        failed = sum(self.errors.values())
        return Measure(
            "pages answered", "0 errors", f"{failed:,} of {self.requests:,}", failed == 0
        )


def order_mix(items: list[drop.Buyable]) -> list[drop.Buyable]:
    """What the orders pick from, one pick each: the plentiful products three times over, so that
    most orders are placed (the soak is about what they leave behind), and the scarce ones once,
    keeping the sold-out answer in the mix once they run out."""
    return [item for item in items if not item.scarce] * 3 + [item for item in items if item.scarce]


class Alternating:
    """drop.OrderPlacer's place(), on each instance in turn."""

    def __init__(self, placers: list[drop.OrderPlacer]):
        self._placers = itertools.cycle(placers)
        self._lock = threading.Lock()

    def place(self, item: drop.Buyable) -> str:
        with self._lock:
            placer = next(self._placers)
        return placer.place(item)


def _watch(db_name: str, seconds: float, processes, logs) -> int:
    """Wait `seconds`, looking at the database's connections; the most open at once. A process
    that stopped stops the run."""
    most = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        most = max(most, connections_now(db_name))
        for process, log in zip(processes, logs.values(), strict=True):
            if process.poll() is not None:
                raise BenchError(f"{log.stem} exited with {process.returncode}:\n{load._tail(log)}")
        time.sleep(min(SAMPLE_EVERY, max(0.0, deadline - time.monotonic())))
    return most


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _forget_cache(prefix: str) -> None:
    """The run's cache entries, deleted: the shared Redis keeps nothing of it."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for n in range(0, len(keys), 500):
        client.delete(*keys[n : n + 500])


# --- The run -------------------------------------------------------------------------------------


def run(
    *,
    seconds: float,
    warmup: float,
    order_rate: float,
    readers: int,
    pause: float,
    first_port: int,
    out: Path,
    stdout,
) -> tuple[list[Measure], str]:
    """Make the database, soak, check; return the measures and the table's text."""
    if connection.vendor != "postgresql":
        raise BenchError("soak needs PostgreSQL: DATABASE_URL=postgres://… names the server.")
    if not settings.REDIS_URL:
        raise BenchError("soak needs Redis: set REDIS_URL (its keys get a prefix of their own).")
    run_id = f"soak_{os.getpid()}_{secrets.token_hex(3)}"
    out = out / run_id
    out.mkdir(parents=True, exist_ok=True)
    # The run's cache entries, this process's (the seed's) and the servers', under a prefix of
    # their own: nothing cached before the run is read, and all is deleted after it.
    prefix = f"{settings.CACHE_KEY_PREFIX}-{run_id}"
    caches = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = run_id
    stdout.write(f"Making the database {run_id} and the demo shop in it…")
    # A SIGTERM unwinds like Ctrl-C: every `finally` stops what it started.
    with load._sigterm_stops_the_run(), override_settings(CACHES=caches, CACHE_KEY_PREFIX=prefix):
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            call_command("seed_demo", stdout=io.StringIO())  # its story is long: not shown
            return _soak(
                run_id,
                seconds=seconds,
                warmup=warmup,
                order_rate=order_rate,
                readers=readers,
                pause=pause,
                first_port=first_port,
                out=out,
                stdout=stdout,
            )
        finally:
            _forget_cache(prefix)
            connection.close()
            connection.creation.destroy_test_db(original_name, verbosity=0)
            stdout.write(f"Dropped the database {run_id}; logs are in {out}.")


def _soak(run_id, *, seconds, warmup, order_rate, readers, pause, first_port, out, stdout):
    items, before = drop.prepare_stock(stdout=stdout)
    since = timezone.now()
    env = load.production_env(secrets.token_urlsafe(50)) | {
        "DATABASE_URL": database_url(run_id),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "LOG_LEVEL": "INFO",
        "SHOP_BENCH_STRIPE_SIMULATOR": "1",  # bench/settings.py: pay through the simulator
        "STRIPE_SECRET_KEY": "",
    }
    load.collect_static_if_stale(env, stdout=stdout)
    workers, threads = gunicorn_sizes()
    ports = (
        [first_port + n for n in range(len(INSTANCES))]
        if first_port
        else [load.free_port() for _ in INSTANCES]
    )
    logs = {f"app {name}": out / f"app-{name}.log" for name in INSTANCES}
    logs["task worker"] = out / "task-worker.log"
    most_connections = 0
    with ExitStack() as stack:
        sink = stack.enter_context(SMTPSink(port=first_port + 2 if first_port else 0))
        stripe = stack.enter_context(
            serve(
                Simulator(webhook_events=ENABLED_EVENTS), port=first_port + 3 if first_port else 0
            )
        )
        stack.callback(stripe.simulator.close)
        env |= {"STRIPE_SIMULATOR_URL": stripe.url, "EMAIL_URL": sink.url}
        servers = {}
        for name, port in zip(INSTANCES, ports, strict=True):
            # gunicorn's default control socket is one path per user: two instances on one
            # machine would replace each other's, so each gets its own.
            control = f"--control-socket={out / f'app-{name}.ctl'}"
            servers[name] = load.start(
                [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "shop.wsgi", control],
                env=env
                | {"GUNICORN_BIND": f"{load.HOST}:{port}", "PGAPPNAME": APP_NAME.format(name)},
                log_path=logs[f"app {name}"],
            )
            stack.callback(load._stop, servers[name])
        worker = load.start(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay"],
            env=env | {"PGAPPNAME": APP_NAME.format("worker")},
            log_path=logs["task worker"],
        )
        stack.callback(load._stop, worker)
        for name, port in zip(INSTANCES, ports, strict=True):
            load._wait_until_ready(servers[name], port, logs[f"app {name}"])
        masters = {name: server.pid for name, server in servers.items()}
        processes = [*servers.values(), worker]
        # One webhook endpoint, as Stripe has for a shop behind a balancer; instance A here.
        stripe.simulator.webhook_urls = (
            f"http://{load.HOST}:{ports[0]}{reverse('stripe-webhook')}",
        )
        placer = Alternating([drop.OrderPlacer(port, simulator_url=stripe.url) for port in ports])
        stdout.write(
            f"Soaking for {seconds:g} s after {warmup:g} s of warm-up: 2 instances of {workers} "
            f"workers x {threads} threads (ports {ports[0]}, {ports[1]}), {readers} readers, "
            f"orders at {order_rate:g}/s…"
        )
        reading = Readers(ports, browse_urls(), count=readers, pause=pause)
        stream = drop.OrderStream(placer, order_mix(items), rate=order_rate)
        with reading, stream:
            most_connections = _watch(run_id, warmup, processes, logs)
            memory_start = all_worker_rss(masters)
            most_connections = max(most_connections, _watch(run_id, seconds, processes, logs))
            memory_end = all_worker_rss(masters)
        orders = stream.summary("soak")
        stdout.write(
            f"Load stopped: {drop._orders_line(orders)}; waiting for webhooks and e-mails…"
        )
        stripe.simulator.wait_for_deliveries(timeout=30)
        _wait_for(lambda: len(sink.messages) >= orders["placed"], DRAIN_SECONDS)
        most_connections = max(most_connections, connections_now(run_id))
        deliveries = list(stripe.simulator.deliveries)
        payment_intents = dict(stripe.simulator.payment_intents)
        mails = len(sink.messages)
    # Everything stopped: the logs are complete.
    found = {name: error_lines(path.read_text(errors="replace")) for name, path in logs.items()}
    stock_problems = drop.check_stock(before=before, since=since)
    refused = sum(1 for d in deliveries if not 200 <= (d.status or 0) < 300)
    measures = [
        *memory_measures(memory_start, memory_end),
        connection_measure(
            most_connections, instances=len(INSTANCES), workers=workers, threads=threads
        ),
        error_measure(found),
        reading.measure(),
        *order_measures(orders, in_database=Order.objects.count(), duplicates=duplicate_orders()),
        Measure(
            "stock",
            "allocated = units ordered; nothing oversold",
            f"{len(stock_problems)} problems on {len(before):,} stock records",
            not stock_problems,
        ),
        payments_measure(payment_intents),
        Measure(
            "webhooks",
            "0 refused",
            f"{len(deliveries) - refused:,} accepted, {refused:,} refused",
            refused == 0,
        ),
        Measure(
            "confirmation e-mails",
            f"= placed ({orders['placed']:,})",
            f"{mails:,}",
            mails == orders["placed"],
        ),
    ]
    lines = [
        f"Soak: {seconds:g} s (after {warmup:g} s warm-up), 2 gunicorn instances of {workers} "
        f"workers x {threads} threads, {readers} readers (a page every {pause:g} s each), guest "
        f"orders at {order_rate:g}/s; {Product.objects.count():,} products.",
        "",
        table(measures),
    ]
    lines += [f"! stock: {p}" for p in stock_problems]
    lines += [
        f"! {name}: {line}" for name, found_lines in found.items() for line in found_lines[:5]
    ]
    lines += [f"! orders: {k} ({n}x)" for k, n in sorted(orders["failures"].items())]
    lines += [f"! pages: {k} ({n}x)" for k, n in reading.errors.most_common(5)]
    text = "\n".join(lines) + "\n"
    (out / "soak.txt").write_text(text)
    return measures, text
