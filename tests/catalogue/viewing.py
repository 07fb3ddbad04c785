"""What the tests of counted views, basket additions and purchases share: a product page opened,
the views its record holds, the writes of records a block of queries made, and the cache as
production configures it on a shared Redis."""

import uuid

from oscar.core.loading import get_model

from shop import redis_cache

ProductRecord = get_model("analytics", "ProductRecord")

REDIS_DB = 12


def views_of(product) -> int:
    record = ProductRecord.objects.filter(product=product).first()
    return record.num_views if record else 0


def view(client, product):
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response


def record_writes(queries) -> list[str]:
    """The INSERTs and UPDATEs of products' analytics records among the captured queries."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "analytics_productrecord" in q["sql"]
    ]


def shared_cache(settings, port: int = 6379) -> str:
    """The cache as production configures it, on this Redis port and database 12, under a key
    prefix of the test's own (returned)."""
    redis_cache.forget_breakers()
    prefix = f"views-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "shop.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/{REDIS_DB}",
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "BYPASS_SECONDS": 5,
            },
        }
    }
    return prefix
