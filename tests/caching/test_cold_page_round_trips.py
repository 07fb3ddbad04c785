"""A cold page meets dozens of cache tags nobody has versioned yet (its tiles' products, its
listings) and keeps the stock state of each product it shows: with Redis each of those is one
round trip, whatever the number of keys, and a tag version another process set meanwhile is the
one kept."""

import os
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from redis.connection import AbstractConnection

from catalogue import cache_batches, generations
from shop.pagecache import listings
from tests.caching.conftest import is_hit
from tests.caching.test_across_processes import share_redis
from tests.commits import commits
from tests.factories import merch

pytestmark = pytest.mark.django_db

# Any Redis database the test may empty; SHOP_TEST_REDIS_URL picks another.
REDIS_URL = os.environ.get("SHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def redis_cache(settings):
    yield from share_redis(settings, REDIS_URL, "shop-cold-tags")


def round_trips(call):
    """What `call()` returns, and how many times it wrote to Redis's socket."""
    with mock.patch.object(
        AbstractConnection,
        "send_packed_command",
        autospec=True,
        side_effect=AbstractConnection.send_packed_command,
    ) as sent:
        result = call()
    return result, sent.call_count


def test_forty_new_tags_cost_two_round_trips_not_forty_two(redis_cache):
    tags = [generations.product(pk) for pk in range(1, 41)]
    generations.versions(["warm-up"])  # Redis learns the script once per server

    (now, _), trips = round_trips(lambda: generations.versions(tags))

    assert trips == 2  # the versions asked for, then the missing ones added and read back
    assert set(now) == {generations.EVERYTHING, *tags}
    assert all(now.values())
    again, trips = round_trips(lambda: generations.versions(tags))
    assert again[0] == now and trips == 1


@commits
def test_a_version_set_elsewhere_meanwhile_is_kept(redis_cache):
    # Another process bumps the tag between this one's read and its add: the add must not
    # replace the bumped version, or a page read before the bump could be stored as fresh.
    generations.bump([generations.product(7)])
    bumped = cache.get("tag:product:7")

    with mock.patch.object(caches["default"], "get_many", return_value={}):
        now, _ = generations.versions([generations.product(7)])

    assert now[generations.product(7)] == bumped
    assert generations.stamp_after([generations.product(7)], started_ns=0) is None


def test_a_pages_stock_states_are_kept_in_one_round_trip(redis_cache):
    states = {f"stock-state:{pk}": ((pk, 2, 3), ("in-stock", pk)) for pk in range(24)}
    cache_batches.set_many({"warm-up": 1}, 60)

    _, trips = round_trips(lambda: cache_batches.set_many(states, 600))

    assert trips == 1
    assert cache.get_many(list(states)) == states
    assert 590 < cache.ttl("stock-state:0") <= 600


def test_a_cold_listing_part_stores_its_value_as_its_build_lock_goes(redis_cache):
    generations.versions(["warm-up"])
    tags = {generations.ALL_LISTINGS, generations.TAXONOMY}

    value, trips = round_trips(lambda: listings.remember("test:cold", tags, lambda: ["tile"]))

    # The versions; the missing ones added; the build lock; the value stored as the lock goes.
    assert value == ["tile"] and trips == 4
    assert cache.get("build:shop:part:test:cold") is None
    assert round_trips(lambda: listings.remember("test:cold", tags, list)) == (["tile"], 1)


@pytest.mark.page_cache
def test_a_cold_page_reads_its_stamp_and_its_stock_states_versions_together(client):
    pins = [merch(f"Round Trip Pin {n}") for n in range(3)]
    stock_tags = {generations.stock(pin.pk) for pin in pins}
    with mock.patch.object(generations, "versions", wraps=generations.versions) as read:
        assert client.get("/catalogue/").status_code == 200

    with_stock = [set(c.args[0]) for c in read.call_args_list if stock_tags & set(c.args[0])]
    assert len(with_stock) == 1  # the page's stamp and the states it keeps: one round trip
    assert stock_tags | {generations.TAXONOMY, generations.ALL_LISTINGS} <= with_stock[0]
    # The states were kept: the hit fills the stock words without reading stock records.
    with CaptureQueriesContext(connection) as queries:
        hit = client.get("/catalogue/")
    assert is_hit(hit)
    assert not [q for q in queries.captured_queries if "partner_stockrecord" in q["sql"]]
    assert hit.content.decode().count("In stock") >= 3
