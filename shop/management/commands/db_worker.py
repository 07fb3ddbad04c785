"""django_tasks_db's task worker, which also starts payments reconciliation when it starts.

Reconciliation then keeps itself going on this worker (shop/payments/tasks.py): no cron to
install. A `--batch` run drains the queue and stops; it starts nothing.

A database that stops answering (PostgreSQL restarting, a failover) does not end the worker, as it
would end django_tasks_db's: it logs once, tries again every few seconds, and goes on when the
database is back, as the app servers do. Any other error still ends it.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from shop.errors import database_is_unreachable
from shop.payments.tasks import schedule_reconciliation

logger = logging.getLogger("shop.tasks")

DATABASE_RETRY_SECONDS = 2
STILL_DOWN_EVERY = 60  # seconds between the lines saying it is still down


class Command(db_worker.Command):
    def handle(self, *args, batch: bool, **options):
        if not batch and schedule_reconciliation():
            self.stdout.write("Payments reconciliation queued.")
        down_since = reported = None
        while True:
            try:
                return super().handle(*args, batch=batch, **options)
            except (OperationalError, InterfaceError) as error:
                if batch or not database_is_unreachable():
                    raise
                now = time.monotonic()
                if down_since is None:
                    down_since = reported = now
                    logger.warning(
                        "Database not answering (%s): trying again every %s s",
                        " ".join(str(error).split())[:200],
                        DATABASE_RETRY_SECONDS,
                    )
                elif now - reported >= STILL_DOWN_EVERY:
                    reported = now
                    logger.warning("Database still not answering after %.0f s", now - down_since)
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
            time.sleep(DATABASE_RETRY_SECONDS)
