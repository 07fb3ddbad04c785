"""Read replicas (`DATABASE_REPLICA_URLS`) for what anonymous shoppers and readers browse.

Only a cached page's render reads from a replica (shop.pagecache: the storefront and blog pages
of a visitor who is not signed in), and only the catalogue's, the blog's and the reviews' tables;
the basket, stock, orders, payments, sessions and accounts, the admin and the dashboard always
read the primary, and every write goes there.

A replica is used while it is known to hold every commit made on the primary up to `MAX_LAG`
ago: at most once per `CHECK_INTERVAL` a process reads the primary's WAL position, then asks the
replica whether it has replayed that far; if so, everything committed before that moment is
there (its `fresh_as_of`). One that lags further, or does not answer, is skipped (then retried
after `DOWN_FOR`), and a render that fails on one runs again on the primary. What a render reads
from a replica is dated `fresh_as_of` for the page cache (catalogue.generations.reading_as_of):
a page whose tags were bumped after that is shown but not kept, so no stale copy outlives the lag.
"""

from __future__ import annotations

import logging
import random
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.dispatch import receiver

from catalogue import generations

log = logging.getLogger(__name__)

# The apps whose tables a replica serves: what listings, product pages and articles show.
REPLICA_APPS = frozenset({"catalogue", "blog", "reviews"})
CHECK_INTERVAL = 1.0  # seconds between a process's checks of one replica
DOWN_FOR = 5.0  # seconds a replica that failed is left alone


def aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@dataclass
class Replica:
    alias: str
    fresh_as_of_ns: int = 0  # every commit on the primary before this time has been replayed
    checked_at: float = float("-inf")
    down_until: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def usable(self) -> bool:
        now = time.monotonic()
        if now < self.down_until:
            return False
        if now - self.checked_at >= CHECK_INTERVAL and self.lock.acquire(blocking=False):
            try:
                self.check()
            finally:
                self.lock.release()
        lag = time.time_ns() - self.fresh_as_of_ns
        return now >= self.down_until and lag <= settings.REPLICA_MAX_LAG * 1e9

    def check(self) -> None:
        self.checked_at = time.monotonic()
        asked_at = time.time_ns()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (position,) = cursor.fetchone()
        try:
            with connections[self.alias].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
                (caught_up,) = cursor.fetchone()
        except DatabaseError as error:
            self.failed(error)
            return
        if caught_up:
            self.fresh_as_of_ns = asked_at

    def failed(self, error: Exception) -> None:
        if time.monotonic() >= self.down_until:
            log.warning("Read replica %s skipped for %ss: %s", self.alias, DOWN_FOR, error)
        self.down_until = time.monotonic() + DOWN_FOR


@dataclass
class Reading:
    """What a render read from: the time up to which its replica holds every commit (None: the
    primary), and whether a query on the replica failed (the render then runs again)."""

    as_of_ns: int | None = None
    failed: bool = False


_replicas: dict[str, Replica] = {}
_in_use: ContextVar[tuple[Replica, Reading] | None] = ContextVar("read_replica", default=None)


def _choose() -> Replica | None:
    names = aliases()
    random.shuffle(names)
    for name in names:
        replica = _replicas.setdefault(name, Replica(name))
        if replica.usable():
            return replica
    return None


@contextmanager
def reading() -> Iterator[Reading]:
    """Route the catalogue's and blog's reads inside the block to a fresh replica, when one is
    configured and fresh."""
    replica = _choose() if aliases() else None
    if replica is not None:
        try:
            connections[replica.alias].ensure_connection()
        except DatabaseError as error:
            replica.failed(error)
            replica = None
    if replica is None:
        yield Reading()
        return
    read = Reading(as_of_ns=replica.fresh_as_of_ns)

    def watch(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            read.failed = True
            replica.failed(error)
            raise

    token = _in_use.set((replica, read))
    try:
        with (
            connections[replica.alias].execute_wrapper(watch),
            generations.reading_as_of(read.as_of_ns),
        ):
            yield read
    finally:
        _in_use.reset(token)


def render_runs_again() -> bool:
    """The render under way read from a replica that failed: shop.pagecache runs it again on the
    primary and drops what this one answers."""
    in_use = _in_use.get()
    return in_use is not None and in_use[1].failed


class ReplicaRouter:
    """Reads of REPLICA_APPS inside `reading()` go to its replica; everything else, and every
    write, to the primary (always named: objects read from a replica must not take writes there)."""

    def db_for_read(self, model, **hints):
        in_use = _in_use.get()
        if in_use is not None and model._meta.app_label in REPLICA_APPS:
            return in_use[0].alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, whichever copy they were read from

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's WAL


@receiver(got_request_exception)
def _render_failed(sender, request=None, **kwargs):
    """A connection to the replica that broke before any query ran (no `watch` saw it)."""
    in_use = _in_use.get()
    error = sys.exc_info()[1]
    if in_use is not None and isinstance(error, DatabaseError):
        replica, read = in_use
        read.failed = True
        replica.failed(error)
