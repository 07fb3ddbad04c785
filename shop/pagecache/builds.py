"""One build at a time per cache key, across every worker and server: `build_once()`.

When an entry is missing or stale, the first request takes a short lock in the shared cache
(`cache.add`, which only one caller wins) and builds it. Others meanwhile get the previous version
if it was known current recently enough (`STALE_FOR`: built, or found current by this process,
that long ago at most), else wait for the build, polling for its result, for at most `WAIT`. If
the builder finishes without storing anything (a page that may not be kept) or dies, a waiter
takes the lock and builds; after `WAIT` a waiter builds for itself rather than keep its shopper
waiting (a build that slow is the only case of two at once). While the shared cache is not
answering, every request builds for itself at once.
A build that stores its result with `store()` lets go of the lock in the same round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache

from catalogue import cache_batches

T = TypeVar("T")

LOCK_TIMEOUT = 10  # seconds: a crashed builder's lock lets go
WAIT = 1.5  # seconds a request waits for another's build
POLL = 0.05
# A previous version is served during a rebuild only if it was known current this recently
# (seconds): what it shows is at most that far behind the change that made it stale.
STALE_FOR = 5.0
CONFIRMED_MAX = 5000

# When this process last found each entry current: key → (the entry's build time, then). A page
# served all the time is known current to the moment before a sale made it stale, however long
# ago it was built; its rebuild then keeps no shopper waiting.
_confirmed: dict[str, tuple[float, float]] = {}

# The key this request is building under its lock, and whether `store()` let the lock go.
_building: ContextVar[tuple[str, list[bool]] | None] = ContextVar("building", default=None)

# Inside `noting_previous()`: the keys whose previous version this request was given.
_previous_given: ContextVar[list[str] | None] = ContextVar("previous_given", default=None)


@contextmanager
def noting_previous() -> Iterator[list[str]]:
    """The keys whose previous version `build_once()` gave inside the block. What was made from
    one (a page from a listing part rebuilt elsewhere) is as far behind as it, and must not be
    kept under the versions current now. An enclosing block is told too: a page is as far behind
    as a part made from another's previous version."""
    given: list[str] = []
    enclosing = _previous_given.get()
    token = _previous_given.set(given)
    try:
        yield given
    finally:
        _previous_given.reset(token)
        if enclosing is not None:
            enclosing.extend(given)


def build_once(
    key: str,
    compute: Callable[[], T],
    *,
    ready: Callable[[], T | None] = lambda: None,
    previous: Callable[[], T] | None = None,
    previous_built_at: float = 0.0,
) -> T:
    """`compute()` (which stores its result), unless another process is already computing `key`:
    then `previous()` if it was built within `STALE_FOR`, or what `ready()` finds once that build
    is done."""
    lock = _lock(key)
    deadline = time.monotonic() + WAIT
    while True:
        taken = cache.add(lock, 1, LOCK_TIMEOUT)
        if taken is None:
            # django-redis's answer when Redis did not (shop.redis_cache): nobody can share a
            # build, and waiting for one would hold the page for `WAIT`.
            return compute()
        if taken:
            released: list[bool] = []
            token = _building.set((key, released))
            try:
                return compute()
            finally:
                _building.reset(token)
                if not released:
                    cache.delete(lock)
        if previous is not None and _known_current_lately(key, previous_built_at):
            given = _previous_given.get()
            if given is not None:
                given.append(key)
            return previous()
        while time.monotonic() < deadline:
            time.sleep(POLL)
            found = ready()
            if found is not None:
                return found
            if cache.get(lock) is None:
                break  # the build ended without a result for us: try to take it over
        else:
            return compute()


def confirmed(key: str, built_at: float) -> None:
    """The entry under `key` built at `built_at` was just found current (a hit)."""
    if len(_confirmed) >= CONFIRMED_MAX:
        _confirmed.clear()  # the pages served all the time are noted again at once
    _confirmed[key] = (built_at, time.time())


def _known_current_lately(key: str, built_at: float) -> bool:
    """Whether the entry built at `built_at` was known current (built, or found so by a later
    hit here) within `STALE_FOR`."""
    found = _confirmed.get(key)
    known_at = found[1] if found is not None and found[0] == built_at else built_at
    return time.time() - known_at <= STALE_FOR


def store(key: str, value, timeout: float) -> None:
    """`cache.set(key, value, timeout)` from within `build_once(key, …)`'s compute: the lock
    goes in the same round trip, and waiters find the value at once."""
    building = _building.get()
    if building is None or building[0] != key:
        cache.set(key, value, timeout)  # not holding this key's lock (built after `WAIT`)
        return
    cache_batches.set_many({key: value}, timeout, delete=[_lock(key)])
    building[1].append(True)


def _lock(key: str) -> str:
    return f"build:{key}"
