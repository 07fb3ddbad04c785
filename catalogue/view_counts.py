"""Product page views: counted where every app server can see them, and added to Oscar's
ProductRecord.num_views in batches, never inside a request.

Oscar's analytics receiver runs an UPDATE inside every product request (on SQLite under load:
"database is locked"), and a page served by the page cache (shop.pagecache) never runs the view
at all. Here a view is counted from `product_viewed` (below) when the view runs, and by the page
cache on a hit, in one of two places:

- With a shared Redis cache, one HINCRBY into a hash that every app server shares: nothing is kept
  in the process, so a server killed with SIGKILL loses no view. A task worker's periodic job
  (`write_shared_views`, every SHOP_PRODUCT_VIEWS_FLUSH_SECONDS) takes the hash whole (a RENAME,
  with a batch id) and adds it to num_views in a transaction that also records the batch id, then
  lets go of it in Redis. A run killed before its commit leaves the batch in Redis for the next run;
  one killed after it finds its batch id recorded and adds nothing: each view is written once.
- Without one (the local demo, tests), or while the cache's breaker skips Redis
  (shop.redis_cache), in a per-process counter, written after a response has been sent
  (`request_finished`) or a task worker's job has run (`task_finished`) once
  SHOP_PRODUCT_VIEWS_FLUSH_SECONDS have passed, and at process exit. Its threads share the
  counter; a failed write keeps the counts for the next flush and never reaches a shopper.

The machinery is a `Tally`, one per thing counted: `product_views` here, the blog's article
figures (blog.attribution) beside it, each with its own Redis hash, writer and periodic job, and
one table of written batch ids (ProductViewBatch) for all of them.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import DatabaseError, transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.signals import task_finished
from oscar.apps.catalogue.signals import product_viewed
from oscar.core.loading import get_class, get_model
from redis.exceptions import RedisError

from .cache_batches import redis_client

Product = get_model("catalogue", "Product")
ProductViewBatch = get_model("catalogue", "ProductViewBatch")
ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")

logger = logging.getLogger(__name__)


# The tallies by name: what a page served from the page cache counts again (`recording`).
TALLIES: dict[str, Tally] = {}
_recording: ContextVar[list | None] = ContextVar("counted", default=None)


class ViewCounter:
    """Counts per key since the last flush, shared by the threads of one process."""

    def __init__(self, tally: Tally):
        self.tally = tally
        self._lock = threading.Lock()
        self._pending = Counter()
        self._flushed_at = time.monotonic()

    def add(self, key, n: int = 1) -> None:
        with self._lock:
            self._pending[key] += n

    def pending(self) -> dict:
        with self._lock:
            return dict(self._pending)

    def flush(self, *, force: bool = False) -> None:
        """Write the pending counts if the interval has passed (or `force`)."""
        if not self._pending or not (force or self._is_due()):
            return  # the common case: no lock taken
        with self._lock:
            if not (force or self._is_due()):
                return  # another thread has just taken the batch
            batch, self._pending = self._pending, Counter()
            self._flushed_at = time.monotonic()
        # Outside the lock: views counted meanwhile go into the next batch.
        try:
            self.tally.write(batch)
        except DatabaseError as error:
            # One line, no traceback: while the database is down every flush fails the same way.
            logger.warning(
                "%s of %d %s not saved (%s: %s); kept for the next flush",
                self.tally.label,
                len(batch),
                self.tally.noun,
                type(error).__name__,
                " ".join(str(error).split())[:200],
            )
            with self._lock:
                self._pending.update(batch)

    def _is_due(self) -> bool:
        return time.monotonic() - self._flushed_at >= settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS


# The batch's id is a field of its own beside the counted keys.
BATCH_ID = "batch"

# A batch left by a run that did not finish, else what was counted so far as a new batch (its id
# ARGV[2] in the field ARGV[1]); nothing when there is neither. Atomic: a count made meanwhile
# is in the batch or in the next one, never in both.
TAKE = """
if redis.call('EXISTS', KEYS[2]) == 0 then
    if redis.call('EXISTS', KEYS[1]) == 0 then
        return {}
    end
    redis.call('RENAME', KEYS[1], KEYS[2])
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return redis.call('HGETALL', KEYS[2])
"""
# Lets go of the batch ARGV[2] once it is written, and of no other.
RELEASE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
# A batch id matters while its batch may still be in Redis: until the next run lets go of it.
BATCH_IDS_KEPT = timedelta(days=7)

_scripts: dict[str, object] = {}


class Tally:
    """Counts by key, kept as this module keeps product views (Redis or the process) and added to
    the database by `write` (key → count, inside a transaction) in batches, each written once.

    `field(key)` is what is counted for a key at the moment it is counted (the blog's article
    figures add the day); `parse` reads a field back from Redis. A page served from the page
    cache counts again what its render counted (`recording`, `replay`)."""

    def __init__(self, name: str, *, write, label: str, noun: str, field=None, parse=int):
        self.name, self.label, self.noun = name, label, noun
        self.write = write
        self.field = field or (lambda key: key)
        self.parse = parse
        # The hash every app server counts into, and the batch a worker has taken from it and is
        # writing (each under the cache's key prefix).
        self.counting, self.writing = f"{name}:counting", f"{name}:writing"
        self.counter = ViewCounter(self)
        TALLIES[name] = self

    def count(self, key, n: int = 1) -> None:
        recorded = _recording.get()
        if recorded is not None:
            recorded.append((self.name, key) if n == 1 else (self.name, key, n))
        field = self.field(key)
        client = redis_client()
        if client is not None:
            try:
                client.get_client(write=True).hincrby(client.make_key(self.counting), field, n)
                return
            except (RedisError, OSError) as error:
                _tell_breaker(error)
        self.counter.add(field, n)

    def flush(self, *, force: bool = False) -> None:
        self.counter.flush(force=force)

    def write_shared(self) -> int:
        """Add what was counted in Redis to the database, each count once; the counts written.
        A task worker's periodic job (shop.worker.jobs). Redis or the database not answering:
        one line, and the counts stay in Redis for the next run."""
        client = redis_client()
        if client is None:
            return 0  # no shared cache (or the breaker skips it): the app servers write their own
        written = 0
        try:
            # A batch a killed run left, then what was counted since; or one new batch and nothing.
            for _ in range(2):
                taken = _take(client, self)
                if taken is None:
                    break
                batch_id, counts = taken
                with transaction.atomic():
                    _, is_new = ProductViewBatch.objects.get_or_create(
                        batch_id=batch_id, defaults={"written_at": timezone.now()}
                    )
                    if is_new:  # else a run killed after its commit wrote it
                        self.write(counts)
                        written += sum(counts.values())
                _release(client, self, batch_id)
            ProductViewBatch.objects.filter(written_at__lt=timezone.now() - BATCH_IDS_KEPT).delete()
        except (RedisError, OSError, DatabaseError) as error:
            if isinstance(error, RedisError | OSError):
                _tell_breaker(error)
            logger.warning(
                "%s not moved from Redis (%s: %s); left there for the next run",
                self.label,
                type(error).__name__,
                " ".join(str(error).split())[:200],
            )
        return written


@contextmanager
def recording():
    """What every tally counts inside the block, as (tally name, key) pairs, with the count after
    them when it is not 1: a cached page keeps them and counts them again on each hit
    (shop.pagecache), as its render did."""
    counted: list = []
    token = _recording.set(counted)
    try:
        yield counted
    finally:
        _recording.reset(token)


def replay(counted) -> None:
    for name, key, *n in counted:
        TALLIES[name].count(key, *n)


def _take(client, tally: Tally) -> tuple[str, dict] | None:
    """The batch to write, by its id: field → count."""
    keys = [client.make_key(tally.counting), client.make_key(tally.writing)]
    held = _run(client, TAKE, keys, [BATCH_ID, uuid.uuid4().hex])
    if not held:
        return None
    fields = dict(zip(held[::2], held[1::2], strict=True))
    batch_id = fields.pop(BATCH_ID.encode()).decode()
    return batch_id, {tally.parse(field.decode()): int(n) for field, n in fields.items()}


def _release(client, tally: Tally, batch_id: str) -> None:
    _run(client, RELEASE, [client.make_key(tally.writing)], [BATCH_ID, batch_id])


def _run(client, source: str, keys: list, args: list):
    redis = client.get_client(write=True)
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = redis.register_script(source)
    return script(keys=keys, args=args, client=redis)


def _tell_breaker(error: BaseException) -> None:
    # A call made past django-redis's own methods: the cache's breaker (shop.redis_cache) is told
    # here, so that Redis not answering holds one call for its timeout, not every view.
    breaker = getattr(cache, "breaker", None)
    if breaker is not None:
        breaker.failed_with(error)


# Product page views, added to Oscar's ProductRecord.num_views. `write_views` is looked up when a
# batch is written, so a test can stand in for it.
product_views = Tally(
    "product-views", write=lambda views: write_views(views), label="Product views", noun="products"
)


def count_view(product_id: int) -> None:
    product_views.count(product_id)


def write_shared_views() -> int:
    """Add the product views counted in Redis to ProductRecord.num_views (`Tally.write_shared`)."""
    return product_views.write_shared()


def flush(*, force: bool = False) -> None:
    """Write what this process counted, of every tally, if the interval has passed (or `force`)."""
    for tally in list(TALLIES.values()):
        tally.flush(force=force)


def write_views(views: Mapping[int, int]) -> None:
    """Add `views` (product id → views) to ProductRecord.num_views (`add_to_records`)."""
    add_to_records("num_views", views)


def add_to_records(field: str, counts: Mapping[int, int]) -> None:
    """Add `counts` (product id → count) to each product's ProductRecord `field`, all or nothing:
    a batch that fails is retried whole, never counted twice."""
    with transaction.atomic():
        # A product deleted since it was counted gets no record.
        missing = Product.objects.filter(pk__in=counts, stats__isnull=True).values_list(
            "pk", flat=True
        )
        # Another worker may create the same record meanwhile: its row is then updated below.
        ProductRecord.objects.bulk_create(
            [ProductRecord(product_id=pk) for pk in missing], ignore_conflicts=True
        )
        # In id order, so two workers flushing the same products cannot deadlock (PostgreSQL).
        for product_id in sorted(counts):
            ProductRecord.objects.filter(product_id=product_id).update(
                **{field: F(field) + counts[product_id]}
            )


@receiver(request_finished, dispatch_uid="catalogue.flush_product_views")
@receiver(task_finished, dispatch_uid="catalogue.flush_counts_after_a_job")
def flush_when_due(sender, **kwargs):
    """After each response, and after each job of a task worker (which serves no requests; its
    jobs count purchases: the unattended checkout completion places orders)."""
    flush()


# The shopper has gone: write what is left, if the database is still there.
atexit.register(flush, force=True)


# Oscar's receiver writes num_views inside the request; ours replaces it and keeps the rest.
product_viewed.disconnect(get_class("analytics.receivers", "receive_product_view"))
_update_counter = get_class("analytics.receivers", "_update_counter")


@receiver(product_viewed, dispatch_uid="catalogue.product_viewed")
def receive_product_view(sender, product, user, **kwargs):
    """Oscar's receiver with the view counted in memory. A signed-in shopper's history (UserRecord,
    UserProductView) is still written in the request, as Oscar does: those pages are never cached,
    so each of their views reaches this receiver once and the page cache never counts it again."""
    if kwargs.get("raw", False):
        return
    count_view(product.pk)
    if user and user.is_authenticated:
        _update_counter(UserRecord, "num_product_views", {"user": user})
        UserProductView.objects.create(product=product, user=user)
