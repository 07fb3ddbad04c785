"""Match Stripe's recent PaymentIntents against our orders; finish or release what a crash left.

- Held (requires_capture) for an order we placed: capture it (the capture after placing failed).
- Captured for an order we placed that does not say so: record the capture (our capture call's
  reply was lost, and Stripe's `payment_intent.succeeded` webhook did not reach us either).
- Cancelled under an order we placed and never captured (cancelled in Stripe's dashboard, or the
  hold expired), its webhook lost: note on the order that it is not paid.
- Held with no order, older than the grace period: offered to the layers above through
  `signals.held_without_order` (one may complete the order, or release the hold itself); if none
  takes it, an orphan (the process died between the authorisation and the order, or the order
  failed and cancelling did too): cancel it, so no money is taken.
- Waiting for 3-D Secure past the grace period: abandoned; cancelled quietly.
- Captured with no order: money without an order, which must never happen; reported loudly.

`reconcile()` is safe to run at any time and as often as you like. The task worker runs it every
PAYMENTS_RECONCILE_EVERY minutes (shop/payments/tasks.py); `manage.py reconcile_payments` runs it
by hand, with --dry-run to only report.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

import stripe
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.client import stripe_client
from shop.payments.intents import ABANDONED, IntentStatus, metadata
from shop.payments.models import PaymentAttempt
from shop.payments.signals import held_without_order

logger = logging.getLogger("shop.payments")

Order = get_model("order", "Order")

COUNTS = (
    "checked",
    "captured",
    "recorded",
    "unpaid",
    "handed_over",
    "cancelled",
    "orphans",
    "unpaired",
)


def reconcile(
    *,
    days: int = 8,
    grace: int | None = None,
    dry_run: bool = False,
    report: Callable[[str], None] = logger.info,
    alarm: Callable[[str], None] = logger.error,
) -> dict[str, int]:
    """Reconcile the PaymentIntents of the last `days` days; the counts of what was found and done.

    `grace` (minutes; default PAYMENTS_ORPHAN_GRACE) leaves a checkout time to finish its own
    payment. Each action is told to `report`, money without an order to `alarm`.
    """
    if grace is None:
        grace = settings.PAYMENTS_ORPHAN_GRACE
    client = stripe_client()
    now = timezone.now()
    since = int((now - timedelta(days=days)).timestamp())
    cutoff = (now - timedelta(minutes=grace)).timestamp()
    counts = dict.fromkeys(COUNTS, 0)

    def tell(message: str) -> None:
        report(("[dry run] " if dry_run else "") + message)

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
            tell(f"{intent.id}: order {number} placed, capturing")
            if not dry_run and services.capture(attempt):
                counts["captured"] += 1
            continue
        if (
            intent.status == IntentStatus.SUCCEEDED
            and ours
            and attempt.status != PaymentAttempt.Status.CAPTURED
        ):
            tell(f"{intent.id}: captured for order {number}, recording it")
            if not dry_run:
                services.record_capture(attempt, intent.amount_received or attempt.amount)
                counts["recorded"] += 1
            continue
        if (
            intent.status == IntentStatus.CANCELED
            and ours
            and attempt.status == PaymentAttempt.Status.PLACED
        ):
            tell(f"{intent.id}: cancelled under order {number}, never captured: noting it unpaid")
            if not dry_run and services.record_cancellation(attempt):
                counts["unpaid"] += 1
            continue
        in_flight = (IntentStatus.REQUIRES_CAPTURE, IntentStatus.REQUIRES_ACTION)
        if intent.status in in_flight and not ours:
            if intent.created > cutoff:
                continue  # a checkout may still be finishing it
            if intent.status == IntentStatus.REQUIRES_CAPTURE and not dry_run:
                responses = held_without_order.send(sender=None, intent=intent)
                if any(result is True for _receiver, result in responses):
                    tell(f"{intent.id}: authorised for {number} with no order: handed over")
                    counts["handed_over"] += 1
                    continue
            counts["orphans"] += 1
            tell(f"{intent.id}: authorised for {number} with no order: cancel")
            if not dry_run and _cancel_orphan(client, intent):
                counts["cancelled"] += 1
        elif intent.status == IntentStatus.SUCCEEDED and order is None:
            counts["unpaired"] += 1
            alarm(
                f"{intent.id}: {intent.amount_received} {intent.currency} captured for "
                f"order {number}, which does not exist: refund it or create the order"
            )
    if not dry_run:
        forget_checkouts(older_than=now - timedelta(days=days))
    return counts


def forget_checkouts(*, older_than) -> int:
    """Drop what attempts stored to finish an order without the browser (an address, an e-mail)
    once they are done with, or too old to reconcile: the order, if any, keeps its own copy."""
    done = (
        PaymentAttempt.Status.PLACED,
        PaymentAttempt.Status.CAPTURED,
        PaymentAttempt.Status.CANCELLED,
        PaymentAttempt.Status.DECLINED,
    )
    return (
        PaymentAttempt.objects.exclude(checkout={})
        .filter(Q(status__in=done) | Q(updated__lt=older_than))
        .update(checkout={})
    )


def summary(counts: dict[str, int]) -> str:
    listed = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
    return f"Reconciled PaymentIntents: {listed}."


def _cancel_orphan(client, intent) -> bool:
    """Release an orphan's hold; False (logged) leaves it for the next run."""
    try:
        client.v1.payment_intents.cancel(
            intent.id,
            {"cancellation_reason": ABANDONED},
            {"idempotency_key": f"{intent.id}-reconcile-cancel"},
        )
    except stripe.StripeError as error:
        logger.error("%s: could not cancel the orphaned authorisation: %s", intent.id, error)
        return False
    PaymentAttempt.objects.filter(payment_intent_id=intent.id).update(
        status=PaymentAttempt.Status.CANCELLED
    )
    return True
