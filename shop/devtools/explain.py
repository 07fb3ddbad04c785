"""Cold listing and search pages at full size: each page's server time with every cache emptied
before each request, and EXPLAIN (ANALYZE, BUFFERS) of the product queries it runs. Written to
docs/perf/explain-100k.txt by `manage.py explain_listings` (PostgreSQL)."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from time import perf_counter

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.devtools.bench.report import percentile
from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN, TYPE_CATEGORIES

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

# Statements worth a plan: the ones that read products or their facet counts.
EXPLAINED = ("catalogue_product", "catalogue_facetcount", "catalogue_searchrow")


def pages() -> list[tuple[str, str]]:
    """(label, URL) of the cold pages the issue sets a target for, and each listing sort."""
    pin = Product.objects.select_related("franchise").get(upc=CHEEKY_PINK_PIN)
    pins = Category.objects.get(depth=1, name=TYPE_CATEGORIES["pin"])
    catalogue = reverse("catalogue:index")
    search = reverse("search:search")
    return [
        ("catalogue", catalogue),
        ("category", pins.get_absolute_url()),
        ("franchise", reverse("catalogue:franchise", kwargs={"slug": pin.franchise.slug})),
        ("search 'pin'", f"{search}?q=pin"),
        ("search 'pin', page 3", f"{search}?q=pin&page=3"),
        ("search 'pin', page 40", f"{search}?q=pin&page=40"),
        ("search 'pin', page 1311 (the last)", f"{search}?q=pin&page=1311"),
        ("search 'pin', in stock", f"{search}?q=pin&in_stock=1"),
        ("search, a rare word", f"{search}?q=narutomaki"),
        ("search, no match", f"{search}?q=xylophone"),
        ("catalogue, in stock, price low to high", f"{catalogue}?in_stock=1&sort_by=price-asc"),
        ("catalogue, in stock, price high to low", f"{catalogue}?in_stock=1&sort_by=price-desc"),
        ("catalogue, in stock, newest", f"{catalogue}?in_stock=1"),
        ("catalogue, best-selling", f"{catalogue}?sort_by=best-selling"),
        ("catalogue, name A to Z", f"{catalogue}?sort_by=title-asc"),
        (
            "category, in stock, price low to high",
            f"{pins.get_absolute_url()}?in_stock=1&sort_by=price-asc",
        ),
    ]


def run(*, requests: int, explain: bool = True) -> str:
    """The report's text: a timing table, then each page's plans."""
    with override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        SECURE_SSL_REDIRECT=False,
        SHOP_PRODUCT_VIEWS_FLUSH_SECONDS=float("inf"),
    ):
        client = Client()
        rows, plans = [], []
        for label, url in pages():
            timings, statements = _cold(client, url, requests)
            sql_ms = sum(float(q["time"]) for q in statements) * 1000
            rows.append((label, url, len(statements), sql_ms, timings))
            if explain:
                reads = _product_reads(q["sql"] for q in statements)
                plans.append((label, url, [_explain(sql) for sql in reads]))
    return _text(rows, plans, requests)


def _cold(client: Client, url: str, requests: int) -> tuple[list[float], list[dict]]:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    statements = captured.captured_queries
    timings = []
    for _ in range(requests):
        cache.clear()  # the page, its listing parts and facet counts, the generations
        started = perf_counter()
        _get(client, url)
        timings.append((perf_counter() - started) * 1000)
    return timings, statements


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def _product_reads(statements: Iterable[str]) -> list[str]:
    return [
        sql
        for sql in statements
        # Search's counts start with WITH, its page of a kept word with a union's "(SELECT".
        if sql.lstrip("( \n").upper().startswith(("SELECT", "WITH"))
        and any(t in sql for t in EXPLAINED)
    ]


def _explain(sql: str) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return sql, "\n".join(row[0] for row in cursor.fetchall())


def _text(rows, plans, requests: int) -> str:
    products = Product.objects.count()
    lines = [
        f"Cold listing and search pages: {products:,} products on PostgreSQL "
        f"({connection.pg_version // 10000}), {timezone.now():%Y-%m-%d %H:%M} UTC, "
        f"{platform.node()}, load average {' '.join(f'{x:.1f}' for x in _load())}.",
        f"Every cache emptied before each of {requests} requests (Django test Client, DEBUG off).",
        "Regenerate: DATABASE_URL=postgres://... manage.py explain_listings",
        "",
        "SQL ms: the time the first cold request spent in its queries, round trips included.",
        "Plan ms: the Execution Time the database reports for the product and facet reads below,",
        "what the server itself spends; the rest of a page is Python and templates.",
        "",
        f"{'page':<42} {'queries':>7} {'SQL ms':>7} {'plan ms':>8} {'p50 ms':>8} {'p95 ms':>8}",
    ]
    executed = {
        label: sum(_execution_ms(plan) for _sql, plan in found) for label, _, found in plans
    }
    for label, _url, queries, sql_ms, timings in rows:
        plan_ms = f"{executed[label]:.1f}" if label in executed else "-"
        lines.append(
            f"{label:<42} {queries:>7} {sql_ms:>7.1f} {plan_ms:>8} "
            f"{percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f}"
        )
    for label, url, explained in plans:
        lines += ["", "=" * 100, f"{label}: {url}", "=" * 100]
        for sql, plan in explained:
            lines += ["", sql, "", plan]
    return "\n".join(lines) + "\n"


def _execution_ms(plan: str) -> float:
    last = plan.rsplit("Execution Time:", 1)
    return float(last[1].split()[0]) if len(last) == 2 else 0.0


def _load() -> tuple[float, ...]:
    try:
        return os.getloadavg()
    except OSError:
        return ()
