"""Run payments reconciliation by hand (shop/payments/reconcile.py says what it does).

The task worker already runs it every PAYMENTS_RECONCILE_EVERY minutes; this is for a look with
--dry-run, or a run now.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from shop.payments import reconcile


class Command(BaseCommand):
    help = "Reconcile Stripe PaymentIntents against orders: capture, cancel orphans, report."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=8, help="How far back to look.")
        parser.add_argument(
            "--grace",
            type=int,
            default=settings.PAYMENTS_ORPHAN_GRACE,
            help="Minutes before a held payment is an orphan (default: PAYMENTS_ORPHAN_GRACE).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report; change nothing.")

    def handle(self, *args, days, grace, dry_run, **options):
        counts = reconcile.reconcile(
            days=days,
            grace=grace,
            dry_run=dry_run,
            report=self.stdout.write,
            alarm=lambda message: self.stderr.write(self.style.ERROR(message)),
        )
        self.stdout.write(reconcile.summary(counts))
