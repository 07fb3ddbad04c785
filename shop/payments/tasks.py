"""Reconciliation runs by itself: a periodic job on the task workers (shop.worker.periodic).

`reconcile_payments` runs `reconcile.reconcile()` and, whatever happens, queues the next run
PAYMENTS_RECONCILE_EVERY minutes later. The workers start the chain themselves (no cron to
install) and start it again after a crash; at most one run is ever waiting.
"""

import logging
from datetime import timedelta

from django.conf import settings

from shop.payments import reconcile
from shop.payments.client import keys
from shop.worker.periodic import periodic

logger = logging.getLogger("shop.payments")


@periodic(
    name="Payments reconciliation",
    every=lambda: timedelta(minutes=settings.PAYMENTS_RECONCILE_EVERY),
)
def reconcile_payments() -> dict[str, int]:
    """One reconciliation run; the next is queued even when this one fails."""
    if keys() is None:
        logger.info("Payments are off: nothing to reconcile")
        return {}
    counts = reconcile.reconcile()
    logger.info(reconcile.summary(counts))
    return counts
