"""The shared cache's backend: django-redis, skipped for a few seconds at a time while Redis does
not answer.

django-redis (with IGNORE_EXCEPTIONS) already turns a failed call into a miss, but each failed call
waits for its socket timeout, and a page makes ~30 of them. Here the first failure opens a breaker:
for `BYPASS_SECONDS` every call is a miss at once, with no network; then a PING from a thread of
its own tries Redis again (no request waits for it, so a Redis that stops answering costs a page
at most its first call's timeout), and the cache is used as before as soon as it answers. An
outage is logged when it begins, once per interval while it lasts (how many calls failed or were
skipped), and when it ends: one line each, no traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)


class Breaker:
    """Whether Redis is used, for every cache backend of this process that talks to one server."""

    def __init__(self, *, bypass_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.bypass_seconds = bypass_seconds
        self.clock = clock
        # Asks Redis whether it answers (the backend sets a PING); without one, the first call
        # after an interval tries Redis itself.
        self.probe: Callable[[], object] | None = None
        self.run_probe: Callable[[Callable[[], None]], None] = _in_a_thread
        self._lock = threading.Lock()
        self.open_until: float | None = None  # None: closed, Redis is used
        self.down_since = 0.0
        self.next_report = 0.0
        # Since the last log record:
        self.failed = 0
        self.bypassed = 0

    @property
    def is_open(self) -> bool:
        return self.open_until is not None

    def allows_call(self) -> bool:
        if self.open_until is None:
            return True
        with self._lock:
            if self.open_until is None:
                return True
            now = self.clock()
            if now < self.open_until:
                self.bypassed += 1
                return False
            # The interval is over: one try, while every other call keeps skipping Redis.
            self.open_until = now + self.bypass_seconds
            if self.probe is None:
                return True  # this call is the try
            self.bypassed += 1
        self.run_probe(self._try_probe)
        return False

    def _try_probe(self) -> None:
        try:
            self.probe()
        except Exception as error:  # whatever the client raises: still down
            self.failed_with(error)
        else:
            self.succeeded()

    def succeeded(self) -> None:
        if self.open_until is None:
            return
        with self._lock:
            if self.open_until is None:
                return
            logger.warning(
                "Redis cache answering again after %.0f s: %s",
                self.clock() - self.down_since,
                self._counts(),
            )
            self.open_until = None

    def failed_with(self, error: BaseException | None) -> None:
        with self._lock:
            now = self.clock()
            self.failed += 1
            if self.open_until is None:
                self.down_since = now
                logger.warning(
                    "Redis cache not answering (%s): bypassed for %g s at a time",
                    _describe(error),
                    self.bypass_seconds,
                )
                self._reset(now)
            elif now >= self.next_report:
                logger.warning(
                    "Redis cache still not answering (%s) after %.0f s: %s",
                    _describe(error),
                    now - self.down_since,
                    self._counts(),
                )
                self._reset(now)
            self.open_until = now + self.bypass_seconds

    def _counts(self) -> str:
        return f"{self.failed} calls failed and {self.bypassed} bypassed since the last report"

    def _reset(self, now: float) -> None:
        self.failed = self.bypassed = 0
        self.next_report = now + self.bypass_seconds


def _in_a_thread(probe: Callable[[], None]) -> None:
    threading.Thread(target=probe, name="redis-probe", daemon=True).start()


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if error is not None else "no answer"


# Django makes a backend per thread; the breaker, like django-redis's connection pools, is shared
# by the process, one per server.
_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str, *, bypass_seconds: float) -> Breaker:
    with _breakers_lock:
        if server not in _breakers:
            _breakers[server] = Breaker(bypass_seconds=bypass_seconds)
        return _breakers[server]


def forget_breakers() -> None:
    """For tests: every server starts closed (answering)."""
    with _breakers_lock:
        _breakers.clear()


class RedisCache(DjangoRedisCache):
    """django-redis with a breaker (`OPTIONS["BYPASS_SECONDS"]`, default 5). Use it with
    IGNORE_EXCEPTIONS: a skipped call is the same miss as a failed one."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        bypass_seconds = params.get("OPTIONS", {}).get("BYPASS_SECONDS", 5)
        self.breaker = breaker_for(server, bypass_seconds=bypass_seconds)
        if self.breaker.probe is None:
            self.breaker.probe = self._ping

    def _ping(self) -> None:
        # Past the breaker: this is the call that finds out whether Redis answers again.
        super().client.get_client(write=True).ping()

    @property
    def client(self):
        # Every cache method reaches Redis through this property, inside django-redis's
        # omit_exception: raising ConnectionInterrupted here makes the call a miss.
        if not self.breaker.allows_call():
            raise ConnectionInterrupted(connection=None) from RedisConnectionError("bypassed")
        return _Watched(super().client, self.breaker)

    def close(self, **kwargs) -> None:
        # Django calls this after every request: no use of Redis, so neither skipped nor counted.
        if self._client is not None:
            self._client.close(**kwargs)


# The client's methods that never reach Redis: a cold page calls them for each of its dozens of
# keys (catalogue.cache_batches).
_LOCAL = frozenset({"make_key", "encode", "decode"})


class _Watched:
    """django-redis's client, telling the breaker how each call went."""

    __slots__ = ("_breaker", "_client")

    def __init__(self, client, breaker: Breaker) -> None:
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if not callable(attribute) or name in _LOCAL:
            return attribute
        breaker = self._breaker

        def call(*args, **kwargs):
            try:
                result = attribute(*args, **kwargs)
            except ConnectionInterrupted as interrupted:
                breaker.failed_with(interrupted.__cause__)
                raise
            breaker.succeeded()
            return result

        return call
