"""With Redis, the task workers write the product views the app servers counted there, on a
schedule of their own: no app server writes them, no cron runs (catalogue.view_counts)."""

import uuid

import pytest
from django.core.cache import cache

from catalogue import view_counts
from tests.catalogue.viewing import views_of
from tests.factories import merch
from tests.races import on_postgresql_with_commits
from tests.redis_standin import redis_is_reachable
from tests.worker.conftest import wait_for

REDIS_URL = "redis://127.0.0.1:6379/12"

pytestmark = on_postgresql_with_commits


@pytest.fixture
def shared_redis(settings):
    """The test process is an app server on the worker's Redis, under a key prefix of its own."""
    if not redis_is_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    prefix = f"views-worker-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    cache.delete_pattern("*")


def test_a_worker_writes_the_views_counted_in_redis_and_keeps_doing_so(shared_redis, start_worker):
    pin = merch("Worker Pin")
    for _ in range(3):
        view_counts.count_view(pin.pk)

    start_worker(
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=shared_redis,
        SHOP_PRODUCT_VIEWS_FLUSH_SECONDS="0.5",
    )
    wait_for(lambda: views_of(pin) == 3, what="the first run")
    view_counts.count_view(pin.pk)  # after the first run: the run it queued takes it

    wait_for(lambda: views_of(pin) == 4, what="the next run")
    assert (
        view_counts.product_views.counter.pending() == {}
    )  # this "app server" kept and wrote none
