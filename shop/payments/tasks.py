"""Reconciliation runs by itself: a task on the worker that schedules its own next run.

`reconcile_payments` runs `reconcile.reconcile()` and, whatever happens, queues the next run
PAYMENTS_RECONCILE_EVERY minutes later. The chain is started by the task worker itself
(`manage.py db_worker`, shop/management/commands/db_worker.py), so nobody has to install cron or
run a command; a worker started again after a crash (which may leave the chain's last run
"running" for ever) starts it again. At most one run is ever waiting.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from shop.payments import reconcile
from shop.payments.client import keys

logger = logging.getLogger("shop.payments")

# Any fixed number: PostgreSQL's advisory lock that keeps two starting workers from both queueing.
_SCHEDULE_LOCK = 1_417_006


@task()
def reconcile_payments() -> dict[str, int]:
    """One reconciliation run; the next is queued even when this one fails."""
    try:
        if keys() is None:
            logger.info("Payments are off: nothing to reconcile")
            return {}
        counts = reconcile.reconcile()
        logger.info(reconcile.summary(counts))
        return counts
    finally:
        schedule_reconciliation(after=timedelta(minutes=settings.PAYMENTS_RECONCILE_EVERY))


def schedule_reconciliation(*, after: timedelta = timedelta(0)) -> bool:
    """Queue a reconciliation run `after` from now, unless one is already waiting. True if queued."""
    using = DBTaskResult.objects.db
    with exclusive_transaction(using):  # on SQLite: no other writer until we are done
        connection = transaction.get_connection(using)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK])
        if waiting_runs().exists():
            return False
        reconcile_payments.using(run_after=timezone.now() + after).enqueue()
    return True


def waiting_runs():
    """The reconciliation runs queued and not yet started (due or not)."""
    return DBTaskResult.objects.filter(
        task_path=reconcile_payments.module_path, status=TaskResultStatus.READY
    )
