"""The in-process benchmark: every page kind through Django's test Client with DEBUG off, its SQL
queries counted and its server time measured over warm requests (and again with every cache level
emptied before each request), next to the floor's."""

from __future__ import annotations

import warnings
from pathlib import Path
from time import perf_counter

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from oscar.core.loading import get_model

from . import report, scenarios
from .common import (
    BenchError,
    collected_static_is_stale,
    empty_every_cache,
    size_label,
    synthetic_count,
)

Product = get_model("catalogue", "Product")

# Queries are counted on their own requests, so the timed ones run without the debug cursor.
QUERY_PASSES = 3
SQL_SHOWN = 300  # characters of each statement kept in the JSON, to see what a page runs


def run(*, synthetic: int, kinds: list[str] | None, requests: int, warmup: int, out: Path) -> dict:
    """Measure every page; write var/bench/inprocess-<size>-<vendor>.txt/.json; return the result."""
    machine = report.machine()  # before the run: its load average is the other work's
    with (
        warnings.catch_warnings(),
        override_settings(
            DEBUG=False,
            ROOT_URLCONF="shop.devtools.bench.urls",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
            # Without Redis (or while it is out) each process writes the product views it counted
            # every 30 s after a response (catalogue.view_counts): here that would land in one
            # random request's figures. With Redis a view is one HINCRBY in its request, as in
            # production, and only a task worker writes them.
            SHOP_PRODUCT_VIEWS_FLUSH_SECONDS=float("inf"),
        ),
    ):
        # WhiteNoise warns that STATIC_ROOT is empty: in-process pages need no collected files.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        _collect_static_if_needed()
        pages = scenarios.pages(kinds)
        clients = {}
        try:
            for shopper in dict.fromkeys(page.shopper for page in pages):
                clients[shopper] = shopper_client(shopper)
            rows = [measure(clients[p.shopper], p, requests=requests, warmup=warmup) for p in pages]
        finally:
            for client in clients.values():
                scenarios.discard_shopper({name: c.value for name, c in client.cookies.items()})
    judge(rows)
    result = {
        "kind": "inprocess",
        "size": size_label(synthetic),
        "synthetic_products": synthetic_count(),
        "products": Product.objects.count(),
        "requests": requests,
        "warmup": warmup,
        "debug": False,
        "machine": machine,
        "targets": {
            "max_queries": report.MAX_QUERIES,
            "max_p95_ms": report.MAX_P95_MS,
            "max_p95_ms_by_page": report.P95_TARGETS_MS,
        },
        "p95_target_applies": connection.vendor == "postgresql"
        and synthetic >= report.P95_APPLIES_FROM,
        "shoppers": scenarios.SHOPPERS,
        "rows": rows,
    }
    name = f"inprocess-{result['size']}-{connection.vendor}"
    result["files"] = [str(out / f"{name}.txt"), str(out / f"{name}.json")]
    report.write(out, name, result, report.inprocess_text(result))
    return result


def shopper_client(shopper: str) -> Client:
    client = Client()
    for step in scenarios.shopper_steps(shopper):
        response = client.post(step.url, step.data)
        if response.status_code != 302:
            raise BenchError(
                f"The {shopper} shopper's POST {step.url} answered {response.status_code}, not a redirect."
            )
    return client


def measure(client: Client, page: scenarios.Page, *, requests: int, warmup: int) -> dict:
    """Two series: "warm" asks for the same URL again (what most visitors get, from any page
    cache); "uncached" asks for it with every cache level emptied first (common.empty_every_cache):
    the whole page, its listing parts and facets are all built from the database, as the first
    request after a change to them is. Emptying the caches is not timed."""
    row = {
        "label": page.label,
        "kind": page.kind,
        "shopper": page.shopper,
        "url": page.url,
        "status": None,
        "bytes": None,
        "warm": None,
        "uncached": None,
        "queries_met": None,
        "p95_met": None,
        "error": None,
    }
    try:
        row["warm"], response = _series(client, page.url, requests, warmup)
        row["uncached"], _ = _series(
            client, page.url, requests, warmup, before_each=empty_every_cache
        )
    except Exception as exc:  # one broken page must not hide the others' figures
        row["error"] = f"{type(exc).__name__}: {exc}"
        return row
    row.update(status=response.status_code, bytes=len(response.content))
    if page.kind == "article":
        row["cards"] = response.content.decode().count(scenarios.CARD_MARKER)
    return row


def _series(client: Client, url: str, requests: int, warmup: int, *, before_each=lambda: None):
    """Warm-up, then queries counted on their own requests, then the timed requests; each request
    after `before_each()`."""
    for _ in range(warmup):
        before_each()
        _get(client, url)
    counts = []
    for _ in range(QUERY_PASSES):
        before_each()
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        counts.append(len(captured))
    # Read now: the next request's request_started signal empties the connection's query log.
    sql = [q["sql"][:SQL_SHOWN] for q in captured.captured_queries]
    timings = []
    for _ in range(requests):
        before_each()
        started = perf_counter()
        response = client.get(url)
        timings.append((perf_counter() - started) * 1000)
        _check(url, response)
    series = {
        "queries": max(counts),
        "queries_min": min(counts),
        "queries_per_request": counts,
        "median_ms": round(report.percentile(timings, 50), 3),
        "p95_ms": round(report.percentile(timings, 95), 3),
        "timings_ms": [round(t, 3) for t in timings],
        "floor_ratio": {"median": None, "p95": None},
        "sql": sql,
    }
    return series, response


def _get(client: Client, url: str):
    response = client.get(url)
    _check(url, response)
    return response


def _check(url: str, response) -> None:
    if response.status_code != 200:
        where = response.get("Location", "")
        raise BenchError(f"{url} answered {response.status_code} {where}".rstrip())


def judge(rows: list[dict]) -> None:
    """Each series as a multiple of the floor's warm one; the issue's targets on the worse series."""
    floor = next((r for r in rows if r["kind"] == "floor" and r["error"] is None), None)
    for row in rows:
        if row["error"] is not None:
            continue
        series = (row["warm"], row["uncached"])
        if floor is not None:
            for figures in series:
                figures["floor_ratio"] = {
                    "median": report.ratio(figures["median_ms"], floor["warm"]["median_ms"]),
                    "p95": report.ratio(figures["p95_ms"], floor["warm"]["p95_ms"]),
                }
        if row["kind"] != "floor":
            row["queries_met"] = max(f["queries"] for f in series) <= report.MAX_QUERIES
            row["p95_met"] = max(f["p95_ms"] for f in series) <= report.max_p95_ms(row["kind"])


def _collect_static_if_needed() -> None:
    """With DEBUG off from the start, pages need WhiteNoise's manifest of the collected files."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if isinstance(staticfiles_storage, ManifestFilesMixin) and collected_static_is_stale():
        call_command("collectstatic", interactive=False, verbosity=0)
