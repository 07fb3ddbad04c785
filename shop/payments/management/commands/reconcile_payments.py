"""Match Stripe's recent PaymentIntents against our orders; finish or release what a crash left.

- Held (requires_capture) for an order we placed: capture it (the capture after placing failed).
- Held with no order, older than --grace minutes: an orphan (the process died between the
  authorisation and the order, or the order failed and cancelling did too): cancel it, so no
  money is taken. With --dry-run, only report.
- Captured with no order: money without an order, which must never happen; reported loudly.
Run it from cron every few minutes; it is safe to run at any time and as often as you like.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.client import stripe_client
from shop.payments.intents import ABANDONED, IntentStatus, metadata
from shop.payments.models import PaymentAttempt

Order = get_model("order", "Order")


class Command(BaseCommand):
    help = "Reconcile Stripe PaymentIntents against orders: capture, cancel orphans, report."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=8, help="How far back to look.")
        parser.add_argument(
            "--grace", type=int, default=15, help="Minutes before a held payment is an orphan."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report; change nothing.")

    def handle(self, *args, days, grace, dry_run, **options):
        client = stripe_client()
        now = timezone.now()
        since = int((now - timedelta(days=days)).timestamp())
        cutoff = (now - timedelta(minutes=grace)).timestamp()
        counts = {"checked": 0, "captured": 0, "cancelled": 0, "orphans": 0, "unpaired": 0}
        params = {"limit": 100, "created": {"gte": since}}
        for intent in client.v1.payment_intents.list(params).auto_paging_iter():
            counts["checked"] += 1
            number = metadata(intent).get("order_number")
            if not number:
                continue  # not one of ours
            order = Order._default_manager.filter(number=number).first()
            attempt = PaymentAttempt.objects.filter(payment_intent_id=intent.id).first()
            ours = order is not None and attempt is not None and attempt.order_id == order.pk
            if intent.status == IntentStatus.REQUIRES_CAPTURE and ours:
                self.report(f"{intent.id}: order {number} placed, capturing", dry_run)
                if not dry_run and services.capture(attempt):
                    counts["captured"] += 1
                continue
            in_flight = (IntentStatus.REQUIRES_CAPTURE, IntentStatus.REQUIRES_ACTION)
            if intent.status in in_flight and not ours:
                if intent.created > cutoff:
                    continue  # a checkout may still be finishing it
                counts["orphans"] += 1
                self.report(f"{intent.id}: authorised for {number} with no order: cancel", dry_run)
                if not dry_run:
                    client.v1.payment_intents.cancel(
                        intent.id,
                        {"cancellation_reason": ABANDONED},
                        {"idempotency_key": f"{intent.id}-reconcile-cancel"},
                    )
                    PaymentAttempt.objects.filter(payment_intent_id=intent.id).update(
                        status=PaymentAttempt.Status.CANCELLED
                    )
                    counts["cancelled"] += 1
            elif intent.status == IntentStatus.SUCCEEDED and order is None:
                counts["unpaired"] += 1
                self.stderr.write(
                    self.style.ERROR(
                        f"{intent.id}: {intent.amount_received} {intent.currency} captured for "
                        f"order {number}, which does not exist: refund it or create the order"
                    )
                )
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self.stdout.write(f"Reconciled PaymentIntents: {summary}.")

    def report(self, message: str, dry_run: bool) -> None:
        self.stdout.write(("[dry run] " if dry_run else "") + message)
