"""Stripe's webhook: `/payments/stripe/webhook/`.

Events reconcile what we already know. One of them can lead to an order: an authorisation that no
order claims (the shopper passed 3-D Secure and closed the tab) is handed to the checkout through
`held_without_order`, which queues its completion in the event's transaction. The signature is
checked on the raw body; each event id is stored in the same transaction as its effect, so a redelivery (even a
simultaneous one) changes nothing, and a handler failure answers 500 and rolls back, so Stripe's
retry processes it again.

The event's attempt is read first, outside that transaction: most events of a checkout only report
what its own request already recorded (the hold its order claims, the capture it made), and those
are answered then, with no transaction and nothing stored (`ALREADY_RECORDED`). The hold's event,
which usually arrives while "Place order" is still writing the order, first waits for that request
(`checkout_finished`).
"""

import json
import logging

import stripe
from django.db import OperationalError, connections, router, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from shop.outages import is_outage, one_line
from shop.payments import services
from shop.payments.client import keys
from shop.payments.intents import IntentStatus
from shop.payments.models import PaymentAttempt, WebhookEvent
from shop.payments.money import from_minor_units
from shop.payments.signals import held_without_order
from shop.statements import Statement

logger = logging.getLogger("shop.payments")

OrderNote = get_model("order", "OrderNote")


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def stripe_webhook(request):
    current = keys()
    if current is None or not current.webhook_secret:
        return HttpResponseBadRequest("Webhooks are not configured.")
    try:
        event = verified_event(request.body, request.headers.get("Stripe-Signature", ""), current)
    except (ValueError, stripe.SignatureVerificationError) as error:
        logger.warning("Stripe webhook refused: %s", error)
        return HttpResponseBadRequest("Bad signature or payload.")
    handler = HANDLERS.get(event["type"])
    if handler is None:  # no effect to make once: nothing to store either
        return HttpResponse("Not handled.")

    obj = event["data"]["object"]
    intent_id = _payment_intent_id(obj)
    try:
        # Under READ COMMITTED a read just before BEGIN sees what one just after would; the
        # handlers that record a capture or a cancellation, or take over a checkout, read the
        # attempt again under their lock.
        attempt = _attempt(intent_id, with_order=handler in WRITES_ON_THE_ORDER)
        if (
            not _recorded(event["type"], attempt)
            and event["type"] in WAITS_FOR_CHECKOUT
            and checkout_finished(obj)
        ):
            # Stripe told us of the hold while "Place order" was writing its order, as it does
            # for most orders: that request has now committed (or there was none).
            attempt = _attempt(intent_id, with_order=handler in WRITES_ON_THE_ORDER)
        if _recorded(event["type"], attempt):
            # Changes nothing, now or on a redelivery: no record, no transaction (a BEGIN, an
            # INSERT and a COMMIT waiting on the disk, for two of every order's events).
            return HttpResponse("Already recorded.")
        with transaction.atomic():
            if not WebhookEvent.first_delivery(event["id"], event["type"], intent_id):
                return HttpResponse("Already processed.")
            handler(obj, attempt)
    except Exception as error:
        if is_outage(error):
            # An outage (a restart, a failover) is one line, not a traceback per event.
            logger.warning(
                "Stripe webhook %s (%s) not handled, the database is not answering (%s); "
                "Stripe will retry",
                event["id"],
                event["type"],
                one_line(error),
            )
            response = HttpResponse("Database unavailable.", status=503)
            response["Retry-After"] = "30"
            response._has_been_logged = True  # the line above says it: not Django's too
            return response
        logger.exception(
            "Stripe webhook %s (%s) failed; Stripe will retry", event["id"], event["type"]
        )
        return HttpResponse("Handler failed.", status=500)
    return HttpResponse("OK")


def verified_event(payload: bytes, signature: str, current) -> dict:
    """The event Stripe signed, as plain JSON: the SDK's `construct_event` checks the same
    signature, then turns every nested object into a StripeObject that the handlers only turn
    back into dicts. Raises SignatureVerificationError or ValueError."""
    stripe.WebhookSignature.verify_header(
        payload, signature, current.webhook_secret, stripe.Webhook.DEFAULT_TOLERANCE
    )
    event = json.loads(payload)
    if not isinstance(event, dict) or event.get("object") != "event":
        raise ValueError("not a Stripe event")
    if not all(isinstance(event.get(key), str) for key in ("id", "type")):
        raise ValueError("an event without its id or type")
    if not isinstance(event.get("data"), dict) or not isinstance(event["data"].get("object"), dict):
        raise ValueError("an event without its object")
    return event


def _payment_intent_id(obj) -> str:
    if obj.get("object") == "payment_intent":
        return obj["id"]
    intent = obj.get("payment_intent") or ""
    return intent if isinstance(intent, str) else intent.get("id", "")


def _attempt(intent_id: str, *, with_order: bool = True) -> PaymentAttempt | None:
    """The intent's attempt (the one that placed an order, else the latest); `with_order` reads
    its order in the same query, for handlers that write on the order (Oscar's order has some
    forty columns: building it was most of a webhook's Python when nothing needed it). By SQL
    compiled once per process (shop.statements): every order's webhooks ask it."""
    if not intent_id:
        return None
    using = router.db_for_read(PaymentAttempt)

    def attempts():
        found = PaymentAttempt.objects.using(using).filter(payment_intent_id=Statement.PLACEHOLDER)
        if with_order:
            found = found.select_related("order")
        return found.order_by("-order_id", "-created")[:1]

    found = Statement.compiled(("payments:attempt-of-intent", using, with_order), attempts).run(
        intent_id
    )
    return found[0] if found else None


def _recorded(event_type: str, attempt: PaymentAttempt | None) -> bool:
    recorded = ALREADY_RECORDED.get(event_type)
    return attempt is not None and recorded is not None and recorded(attempt)


def checkout_finished(intent: dict) -> bool:
    """Whether "Place order" for the intent's basket, if it is running, has finished, after
    waiting at most CHECKOUT_WAIT seconds: it holds the basket's row lock
    (Basket.locked_for_order) from before it asks Stripe to hold the money until its order is
    committed, and Stripe's news of the hold often comes while the order is being written, for a
    few milliseconds. Waiting before the event is stored answers it with one more read, where
    storing it and handing it to the checkout's take-over cost a transaction of its own and a look
    at the payment two minutes later (205 orders placed at ten a second on two sync workers queued
    150 looks). PostgreSQL only: SQLite has no row locks to wait for."""
    basket_id = _basket_id(intent)
    using = router.db_for_write(PaymentAttempt)
    connection = connections[using]
    if basket_id is None or connection.vendor != "postgresql":
        return False
    baskets = PaymentAttempt._meta.get_field("basket").related_model._meta.db_table
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # Local to this transaction, which ends with it.
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{int(CHECKOUT_WAIT * 1000)}ms"]
            )
            # KEY SHARE waits for "Place order"'s FOR UPDATE, and holds back nothing but another
            # FOR UPDATE of the basket for the moment it is held.
            cursor.execute(
                f"SELECT 1 FROM {connection.ops.quote_name(baskets)} WHERE id = %s FOR KEY SHARE",
                [basket_id],
            )
            # Rolled back, not committed: it only waited, and a commit would wait on the disk.
            transaction.set_rollback(True, using=using)
    except OperationalError:  # still placing after CHECKOUT_WAIT: the take-over looks later
        return False
    return True


def _basket_id(intent: dict) -> int | None:
    """The basket id the checkout put in the intent's metadata, if it is one (catalogue.parsing's
    parse_id, which payments may not import)."""
    raw = (intent.get("metadata") or {}).get("basket_id")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    found = int(raw)
    return found if 0 < found <= MAX_ID else None


def captured(obj, attempt):
    # record_capture reads the attempt again under its lock.
    if (
        attempt is not None
        and attempt.order_id
        and attempt.status != PaymentAttempt.Status.CAPTURED
    ):
        amount = obj.get("amount_received") or obj.get("amount_captured") or attempt.amount
        services.record_capture(attempt, amount)


def authorised(obj, attempt):
    """Money is held: if no order has it yet, the checkout places one (or releases it)."""
    if attempt is not None and attempt.order_id:
        return
    if obj.get("status") == IntentStatus.REQUIRES_CAPTURE:
        held_without_order.send(sender=None, intent=obj)


def failed(obj, attempt):
    if attempt is not None and attempt.status == PaymentAttempt.Status.STARTED:
        attempt.status = PaymentAttempt.Status.DECLINED
        error = obj.get("last_payment_error") or {}
        attempt.message = (error.get("message") or "")[:500]
        attempt.save(update_fields=["status", "message", "updated"])


def cancelled(obj, attempt):
    if attempt is not None:  # record_cancellation reads it again under its lock
        services.record_cancellation(attempt)


def refunded(obj, attempt):
    """`charge.refunded` lists every refund on the charge; each is recorded once by its id."""
    if attempt is None or not attempt.order_id:
        return
    for refund in (obj.get("refunds") or {}).get("data", []):
        _record_refund(attempt.order, refund)


def refund_created(obj, attempt):
    if attempt is not None and attempt.order_id:
        _record_refund(attempt.order, obj)


def _record_refund(order, refund: dict) -> None:
    """A refund Stripe tells us of (ours reported back, or one made in its dashboard)."""
    services.record_refund(
        order, refund["id"], refund["amount"], refund["currency"], reason="Stripe"
    )


def dispute_opened(obj, attempt):
    if attempt is None or not attempt.order_id:
        logger.error("Dispute %s for an unknown payment %s", obj.get("id"), _payment_intent_id(obj))
        return
    amount = from_minor_units(obj.get("amount", 0), obj.get("currency", attempt.currency))
    _note(
        attempt.order,
        f"DISPUTE opened by the card holder ({obj.get('reason', 'unknown reason')}, "
        f"{amount} {obj.get('currency', '').upper()}): respond in Stripe's dashboard "
        f"(dispute {obj.get('id')}).",
    )
    services.payment_event(attempt.order, "Dispute opened", amount, obj.get("id", ""))
    logger.warning("Order %s: dispute %s opened", attempt.order.number, obj.get("id"))


def _note(order, message: str) -> None:
    OrderNote.objects.create(order=order, note_type="System", message=message)


# Each handler is given the event's object and its intent's attempt (None when there is none).
HANDLERS = {
    "payment_intent.amount_capturable_updated": authorised,
    "payment_intent.succeeded": captured,
    "payment_intent.payment_failed": failed,
    "payment_intent.canceled": cancelled,
    "charge.refunded": refunded,
    "refund.created": refund_created,
    "charge.dispute.created": dispute_opened,
}

# The handlers that write on the order: their attempt is read with it.
WRITES_ON_THE_ORDER = {refunded, refund_created, dispute_opened}

# Per event, the attempt's state in which it has nothing left to do: an order has claimed the hold
# (`authorised`), the capture is recorded (`captured`).
ALREADY_RECORDED = {
    "payment_intent.amount_capturable_updated": lambda attempt: attempt.order_id is not None,
    "payment_intent.succeeded": lambda attempt: attempt.status == PaymentAttempt.Status.CAPTURED,
}

# The events a checkout's request may still be writing for when they arrive (checkout_finished).
WAITS_FOR_CHECKOUT = {"payment_intent.amount_capturable_updated"}
# Seconds such an event waits for "Place order" to commit the order it is writing.
CHECKOUT_WAIT = 2.0
MAX_ID = 2**31 - 1  # the basket's id column: a larger "id" is none of ours

# The events to enable on Stripe's webhook endpoint (README, "Stripe"): the ones a handler acts
# on. Each other event would cost a request that changes nothing.
ENABLED_EVENTS = tuple(HANDLERS)
