"""django_tasks_db's task worker, which also starts payments reconciliation when it starts.

Reconciliation then keeps itself going on this worker (shop/payments/tasks.py): no cron to
install. A `--batch` run drains the queue and stops; it starts nothing.
"""

from django_tasks_db.management.commands import db_worker

from shop.payments.tasks import schedule_reconciliation


class Command(db_worker.Command):
    def handle(self, *args, batch: bool, **options):
        if not batch and schedule_reconciliation():
            self.stdout.write("Payments reconciliation queued.")
        return super().handle(*args, batch=batch, **options)
