"""The benchmark's "uncached" series is truly cold: before each request every cache level is
emptied (common.empty_every_cache), so a listing runs all of its queries each time; its "warm"
series is served from the caches."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import shop.pagecache
from shop.devtools.bench import inprocess, scenarios
from shop.devtools.bench.common import empty_every_cache

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]

CATALOGUE = scenarios.Page("catalogue", scenarios.ANONYMOUS, "/catalogue/")


def shapes(statements) -> list[str]:
    """The statements without their literals (a timestamp differs between two requests)."""
    return [re.sub(r"'[^']*'", "?", sql) for sql in statements]


def queries_of_a_cold_request(url: str) -> list[str]:
    empty_every_cache()
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_uncached_listing_runs_all_its_queries_on_every_request_and_warm_runs_none_of_them(
    demo_shop,
):
    cold = queries_of_a_cold_request(reverse("catalogue:index"))

    row = inprocess.measure(Client(), CATALOGUE, requests=2, warmup=1)

    assert row["error"] is None and row["status"] == 200
    assert row["uncached"]["queries_per_request"] == [len(cold)] * inprocess.QUERY_PASSES
    assert shapes(row["uncached"]["sql"]) == shapes(sql[: inprocess.SQL_SHOWN] for sql in cold)
    assert row["warm"]["queries"] < len(cold)


def test_emptying_every_cache_also_forgets_the_in_process_page_layer(demo_shop, monkeypatch):
    forgotten = []
    monkeypatch.setattr(
        shop.pagecache, "forget_local", lambda: forgotten.append(True), raising=False
    )
    client = Client()
    client.get(reverse("catalogue:index"))
    assert client.get(reverse("catalogue:index"))["X-Page-Cache"] == "hit"

    empty_every_cache()

    assert forgotten == [True]
    assert "X-Page-Cache" not in client.get(reverse("catalogue:index"))
