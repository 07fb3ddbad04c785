"""Product page views: counted in memory, written to Oscar's ProductRecord.num_views in batches.

Oscar's analytics receiver runs an UPDATE inside every product request (on SQLite under load:
"database is locked"), and a page served by the page cache (shop.pagecache) never runs the view
at all. Here a view only adds one to a per-process counter: from `product_viewed` (below) when the
view runs, from the page cache on a hit. The counts are written after a response has been sent
(`request_finished`) once SHOP_PRODUCT_VIEWS_FLUSH_SECONDS have passed, and at process exit.
Each gunicorn worker counts and flushes its own views; its threads share the counter. A failed
write keeps the counts for the next flush and never reaches a shopper.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, transaction
from django.db.models import F
from django.dispatch import receiver
from oscar.apps.catalogue.signals import product_viewed
from oscar.core.loading import get_class, get_model

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")

logger = logging.getLogger(__name__)


class ViewCounter:
    """Views per product id since the last flush, shared by the threads of one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = Counter()
        self._flushed_at = time.monotonic()

    def add(self, product_id: int) -> None:
        with self._lock:
            self._pending[product_id] += 1

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
            write_views(batch)
        except DatabaseError as error:
            # One line, no traceback: while the database is down every flush fails the same way.
            logger.warning(
                "Product views of %d products not saved (%s: %s); kept for the next flush",
                len(batch),
                type(error).__name__,
                " ".join(str(error).split())[:200],
            )
            with self._lock:
                self._pending.update(batch)

    def _is_due(self) -> bool:
        return time.monotonic() - self._flushed_at >= settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS


counter = ViewCounter()


def count_view(product_id: int) -> None:
    counter.add(product_id)


def flush(*, force: bool = False) -> None:
    counter.flush(force=force)


def write_views(views: Mapping[int, int]) -> None:
    """Add `views` (product id → views) to ProductRecord.num_views, all or nothing: a batch that
    fails is retried whole, never counted twice."""
    with transaction.atomic():
        # A product deleted since its views were counted gets no record.
        missing = Product.objects.filter(pk__in=views, stats__isnull=True).values_list(
            "pk", flat=True
        )
        # Another worker may create the same record meanwhile: its row is then updated below.
        ProductRecord.objects.bulk_create(
            [ProductRecord(product_id=pk) for pk in missing], ignore_conflicts=True
        )
        # In id order, so two workers flushing the same products cannot deadlock (PostgreSQL).
        for product_id in sorted(views):
            ProductRecord.objects.filter(product_id=product_id).update(
                num_views=F("num_views") + views[product_id]
            )


@receiver(request_finished, dispatch_uid="catalogue.flush_product_views")
def flush_when_due(sender, **kwargs):
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
