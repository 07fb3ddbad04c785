"""Two processes sharing PostgreSQL and Redis: a price changed in one shows in the other on its
next request, though the other had the page in its own memory (shop.pagecache.local); a sale that
changes nothing shown keeps it there."""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from oscar.core.loading import get_model

from shop.order.utils import allocate
from tests.factories import merch
from tests.races import on_postgresql_with_commits

StockRecord = get_model("partner", "StockRecord")

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/1"

pytestmark = [*on_postgresql_with_commits, pytest.mark.page_cache]


def redis_is_reachable(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def share_redis(settings, url: str, prefix: str) -> Iterator[None]:
    """A fixture's body: the test's cache is this Redis database under this key prefix, shared
    with the process the test starts, and its keys deleted before and after. Only its own keys:
    FLUSHDB (`cache.clear()`) would empty the database under another test running at the same
    time in another pytest-xdist worker."""
    if not redis_is_reachable(url):
        pytest.skip(f"Redis is not reachable at {url}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    cache.delete_pattern("*")
    yield
    cache.delete_pattern("*")


@pytest.fixture
def shared_cache(settings):
    yield from share_redis(settings, REDIS_URL, "shop-across-processes")


@pytest.fixture
def other_process(shared_cache):
    """The shop in a gunicorn process of its own, on the same database and Redis. DEBUG on: off,
    it would serve static files from collectstatic's manifest, which a test does not build."""
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "shop-across-processes",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "shop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise AssertionError(server.stderr.read().decode())
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the other process did not start")


def fetch(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get("X-Page-Cache", ""), response.read()


def test_a_price_changed_here_shows_there_on_the_next_request(other_process):
    pin = merch("Far Away Pin", price="12.00")
    page = other_process + pin.get_absolute_url()
    fetch(page)
    hit, body = fetch(page)
    assert hit == "hit" and b"$12.00" in body  # kept in the other process's memory too

    allocate(StockRecord.objects.get(product=pin), 1)  # a sale: still "In stock"
    assert fetch(page)[0] == "hit"

    record = StockRecord.objects.get(product=pin)
    record.price = Decimal("9.50")
    record.save()

    hit, body = fetch(page)
    assert hit == "" and b"$9.50" in body and b"$12.00" not in body
    hit, body = fetch(page)
    assert hit == "hit" and b"$9.50" in body
