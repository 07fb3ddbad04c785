"""Many keys of the shared cache written in one Redis command, for a cold page's dozens of tag
versions and stock states: `add_and_read()` and `set_many()`.

Django's cache API would make one round trip per `add`, and django-redis's `set_many` is a
pipeline that costs about 170 Python calls per key in redis-py; a Lua script is one command,
run atomically by Redis. Other cache backends (local memory in tests and `runserver`) get the
same behaviour through Django's API, as do errors, so the cache's own error policy applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted

# SET NX each key, then what each holds: ours, or what another process set first.
ADD_AND_READ = """
local held = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, ARGV[i], 'NX')
    held[i] = redis.call('GET', key)
end
return held
"""
# ARGV[1]: milliseconds to live, 0 for never; then one value for each key to set. The KEYS
# after those are deleted.
SET_MANY = """
local ttl = tonumber(ARGV[1])
local count = #ARGV - 1
for i = 1, count do
    if ttl > 0 then
        redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ttl)
    else
        redis.call('SET', KEYS[i], ARGV[i + 1])
    end
end
for i = count + 1, #KEYS do
    redis.call('DEL', KEYS[i])
end
return #KEYS
"""

_scripts: dict[str, object] = {}


def add_and_read(values: dict[str, object]) -> dict[str, object]:
    """`cache.add` of each key, never expiring, then the value each key holds."""
    client = redis_client()
    if client is not None:
        keys = [client.make_key(key) for key in values]
        held = _run(client, ADD_AND_READ, keys, [client.encode(v) for v in values.values()])
        if held is not None:
            return {key: client.decode(value) for key, value in zip(values, held, strict=True)}
    for key, value in values.items():
        cache.add(key, value, None)
    return cache.get_many(list(values))


def set_many(
    values: dict[str, object], timeout: float | None, *, delete: Iterable[str] = ()
) -> None:
    """`cache.set_many(values, timeout)`, and `cache.delete_many(delete)` after it; `timeout`
    in seconds, None for never."""
    delete = list(delete)
    if not values and not delete:
        return
    client = redis_client()
    if client is not None:
        keys = [client.make_key(key) for key in [*values, *delete]]
        ttl = max(int(timeout * 1000), 1) if timeout is not None else 0
        args = [ttl, *(client.encode(v) for v in values.values())]
        if _run(client, SET_MANY, keys, args) is not None:
            return
    if values:
        cache.set_many(values, timeout)
    if delete:
        cache.delete_many(delete)


def redis_client():
    """django-redis's client of the default cache, or None for another backend."""
    try:
        client = getattr(cache, "client", None)
    except ConnectionInterrupted:  # Redis is being skipped (shop.redis_cache's breaker)
        return None
    return client if hasattr(client, "get_client") else None


def _run(client, source: str, keys: list, args: list):
    """The script's reply, or None when Redis could not be reached (the caller falls back)."""
    from redis.exceptions import RedisError

    try:
        redis = client.get_client(write=True)
        script = _scripts.get(source)
        if script is None:
            script = _scripts[source] = redis.register_script(source)
        return script(keys=keys, args=args, client=redis)
    except (RedisError, OSError):
        return None
