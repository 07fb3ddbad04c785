"""The slow parts of listings and the home page, and the category menu: facet counts, which
products are on a listing page, the home page's picks. Each is kept with the versions of the
cache tags it shows (catalogue.generations: `listing:all`, `franchise:<id>`, `category:<id>`,
`taxonomy`, `menu`), so a sale that moves no listing column keeps them; the tiles themselves are
loaded live. A missing or stale part is rebuilt by one request at a time (`builds.build_once`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache

from catalogue import generations

from .builds import build_once, confirmed, noting_previous, store

T = TypeVar("T")

TIMEOUT = 10 * 60


def remember(name: str, tags: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()`, kept under `name` while none of `tags` changes; one cache round trip on a hit."""
    key = f"shop:part:{name}"
    tags = set(tags)
    generations.read(tags)
    now, found = generations.versions(tags, also=[key])
    stored = found.get(key)
    if stored is not None and generations.is_current(stored[0], now):
        confirmed(key, stored[1])
        return stored[2]

    def build():
        with noting_previous() as behind:
            value = compute()
        # `now` was read before compute(): a bump since leaves this entry stale, as it should.
        # Computed from a replica that may not hold the last bump's rows yet, or from another
        # part's previous version during its rebuild: used, not kept.
        if generations.shows_all_of(now) and not behind:
            store(key, (now, time.time(), value), TIMEOUT)
        return value

    def ready():
        again = cache.get(key)
        if again is not None and generations.is_current(again[0], generations.versions(tags)[0]):
            return again[2]
        return None

    return build_once(
        key,
        build,
        ready=ready,
        previous=(lambda: stored[2]) if stored is not None else None,
        previous_built_at=stored[1] if stored is not None else 0.0,
    )
