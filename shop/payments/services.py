"""Card payments through Stripe: authorise, then (once the order exists) capture; cancel; refund.

The order of things is the shop's promise: authorise the card, allocate stock and place the order,
then capture. Money is only ever taken for an order that exists. If anything fails between the
authorisation and the order, the authorisation is cancelled (no money moves), and reconciliation
(shop/payments/reconcile.py, run by the task worker) cancels any that a crash or Stripe left behind.
The shopper hears "not charged" only when no authorisation exists; otherwise when it is released.

Every Stripe call goes through `stripe_client()` with our own idempotency key, derived from the
payment attempt, so the SDK's network retries and a shopper's resubmission replay the same call.
"""

import logging
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from shop.order.pipeline import PAID, change_status
from shop.payments import kinds
from shop.payments.client import PaymentsOff, stripe_client
from shop.payments.intents import ABANDONED, IntentStatus, metadata
from shop.payments.models import CARD_SOURCE_TYPE_CODE, PaymentAttempt, Refund
from shop.payments.money import from_minor_units, minor_units
from shop.statements import Statement

logger = logging.getLogger("shop.payments")

OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")
Transaction = get_model("payment", "Transaction")

# "Not charged" is said only when no authorisation exists: never made, refused, or cancelled.
NOT_CHARGED = gettext_lazy("You have not been charged.")
FAILED = gettext_lazy("We could not take the payment. You have not been charged.")
BASKET_CHANGED = gettext_lazy(
    "Your basket changed while you were paying. You have not been charged: "
    "please check your order and pay again."
)

# Stripe said nothing useful (network error, timeout, their 5xx): the request may have been made.
TRANSIENT = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


def release_within_minutes() -> int:
    """The longest a hold we could not cancel (or never heard of) stays on the card: reconciliation
    (shop/payments/reconcile.py) cancels it once PAYMENTS_ORPHAN_GRACE minutes old, on a run
    that comes every PAYMENTS_RECONCILE_EVERY minutes; one more interval allows for a late run."""
    return settings.PAYMENTS_ORPHAN_GRACE + 2 * settings.PAYMENTS_RECONCILE_EVERY


def hold_released_note() -> str:
    """What the shopper is told when the money may still be held: when it will not be."""
    return _(
        "No order was placed, and any pending amount on your card is released automatically "
        "within %(minutes)s minutes."
    ) % {"minutes": release_within_minutes()}


def release_message(why: str, *, released: bool, then: str = "") -> str:
    """The shopper's words for a payment we will not use: `why`, then "not charged" if the hold
    is known gone (`released`) or else when it goes, then `then` (what they can do)."""
    held = NOT_CHARGED if released else hold_released_note()
    return " ".join(str(part) for part in (why, held, then) if part)


def lost_reply_message() -> str:
    """Stripe's answer never came: the card may be authorised. If it was, the webhook or
    reconciliation completes the order; else reconciliation releases the hold."""
    return release_message(
        _("The payment service did not answer in time."),
        released=False,
        then=_(
            "If the payment did go through, we will still finish your order and e-mail you a "
            "confirmation: please check your e-mail before paying again."
        ),
    )


@dataclass(frozen=True)
class Outcome:
    """Where a payment attempt stands after talking to Stripe."""

    status: PaymentAttempt.Status  # AUTHORISED, REQUIRES_ACTION, DECLINED or FAILED
    message: str = ""
    redirect_url: str = ""
    transient: bool = False  # Stripe did not answer: where the payment stands is unknown

    @property
    def authorised(self) -> bool:
        return self.status == PaymentAttempt.Status.AUTHORISED


def attempt_for(
    basket,
    confirmation_token: str,
    total: Decimal,
    currency: str,
    order_number,
    *,
    checkout: dict | None = None,
):
    """The attempt for this basket and card confirmation, made once and found again on resubmit.
    `checkout`: the session's checkout data, kept on it before Stripe hears of the payment (the
    webhook may need to place the order without us)."""
    amount = minor_units(total, currency)
    try:
        # Made at once: a new card confirmation is the usual case, and the unique pair of basket
        # and token finds a resubmission.
        with transaction.atomic():
            return PaymentAttempt.objects.create(
                basket=basket,
                confirmation_token=confirmation_token,
                idempotency_key=uuid.uuid4().hex,
                order_number=order_number,
                amount=amount,
                currency=currency.upper(),
                checkout=checkout or {},
            )
    except IntegrityError:  # the same submission again, or racing us: use its attempt
        attempt = PaymentAttempt.objects.get(basket=basket, confirmation_token=confirmation_token)
    if checkout is not None and attempt.checkout != checkout:
        attempt.checkout = checkout
        attempt.save(update_fields=["checkout", "updated"])
    return attempt


def authorise(
    attempt: PaymentAttempt, *, return_url: str, email: str = "", basket_digest: str = ""
) -> Outcome:
    """Create and confirm a manual-capture PaymentIntent for the attempt (money held, not taken).

    `basket_digest` names the basket contents being paid for; it rides on the PaymentIntent so
    the return from 3-D Secure can check the basket is still the one authorised.
    """
    params = {
        "amount": attempt.amount,
        "currency": attempt.currency.lower(),
        "capture_method": "manual",
        "confirm": True,
        "confirmation_token": attempt.confirmation_token,
        "return_url": return_url,
        "description": f"Order {attempt.order_number}",
        "metadata": {
            "order_number": attempt.order_number,
            "basket_id": str(attempt.basket_id),
            "attempt": attempt.idempotency_key,
            "basket_digest": basket_digest,
        },
    }
    if email:
        params["receipt_email"] = email
    try:
        intent = stripe_client().v1.payment_intents.create(
            params, {"idempotency_key": attempt.idempotency_key}
        )
    except stripe.CardError as error:
        declined_intent = getattr(getattr(error, "error", None), "payment_intent", None)
        attempt.payment_intent_id = getattr(declined_intent, "id", "") or ""
        return _finish(attempt, PaymentAttempt.Status.DECLINED, _declined(error.user_message))
    except Exception as error:
        return _unavailable(attempt, "authorising", error)
    attempt.payment_intent_id = intent.id
    return _outcome(attempt, intent)


def resume(attempt: PaymentAttempt, expected_total: Decimal, *, basket_digest: str) -> Outcome:
    """After 3-D Secure: re-read the PaymentIntent; it must be this basket's, for this amount and
    these contents (`basket_digest`, as when it was authorised)."""
    try:
        intent = stripe_client().v1.payment_intents.retrieve(attempt.payment_intent_id)
    except Exception as error:
        return _unavailable(attempt, "reading back", error)
    ours = metadata(intent)
    belongs = ours.get("basket_id") == str(attempt.basket_id) and (
        ours.get("attempt") == attempt.idempotency_key
    )
    if not belongs:
        logger.error(
            "Order %s: PaymentIntent %s does not belong to basket %s",
            attempt.order_number,
            intent.id,
            attempt.basket_id,
        )
        return _finish(attempt, PaymentAttempt.Status.FAILED, FAILED, log=False)
    if (
        intent.amount != attempt.amount
        or not attempt.is_for_total(expected_total, attempt.currency)
        or ours.get("basket_digest") != basket_digest
    ):
        logger.warning(
            "Order %s: basket total changed during 3-D Secure; cancelling %s",
            attempt.order_number,
            intent.id,
        )
        return _release(
            attempt,
            _("Your basket changed while you were paying."),
            then=_("Please check your order and pay again."),
        )
    return _outcome(attempt, intent)


def cancel(attempt: PaymentAttempt) -> bool:
    """Release the held money. False if Stripe could not be told (reconciliation retries)."""
    if not attempt.payment_intent_id:
        return True
    try:
        stripe_client().v1.payment_intents.cancel(
            attempt.payment_intent_id,
            {"cancellation_reason": ABANDONED},
            {"idempotency_key": f"{attempt.idempotency_key}-cancel"},
        )
    except stripe.InvalidRequestError as error:
        # Already cancelled (by a webhook's news or reconcile) is what we wanted.
        if getattr(error, "code", "") != "payment_intent_unexpected_state":
            logger.error("Order %s: cancelling failed: %s", attempt.order_number, error)
            return _to_release(attempt)
    except Exception as error:
        logger.error(
            "Order %s: could not cancel authorisation %s (%s); reconciliation will",
            attempt.order_number,
            attempt.payment_intent_id,
            error,
        )
        return _to_release(attempt)
    _mark(attempt, PaymentAttempt.Status.CANCELLED)
    logger.info("Order %s: authorisation cancelled", attempt.order_number)
    return True


def record_authorisation(attempt: PaymentAttempt, order) -> None:
    """Tie the attempt to its new order and note the held money on it (inside the order's txn)."""
    amount = from_minor_units(attempt.amount, attempt.currency)
    # One INSERT with the amount held and its transaction (Oscar's `allocate()` would save the
    # new source a second time).
    source = Source(
        order=order,
        source_type_id=kinds.card_source_type_id(),
        currency=attempt.currency,
        reference=attempt.payment_intent_id,
        amount_allocated=amount,
    )
    source.create_deferred_transaction(
        Transaction.AUTHORISE,
        amount,
        reference=attempt.payment_intent_id,
        status=IntentStatus.REQUIRES_CAPTURE,
    )
    source.save()
    payment_event(order, "Authorised", amount, attempt.payment_intent_id)
    attempt.order = order
    attempt.status = PaymentAttempt.Status.PLACED
    attempt.save(update_fields=["order", "status", "updated"])


def capture(attempt: PaymentAttempt) -> bool:
    """Take the held money for a placed order. False leaves it for reconciliation to retry."""
    try:
        intent = stripe_client().v1.payment_intents.capture(
            attempt.payment_intent_id,
            options={"idempotency_key": f"{attempt.idempotency_key}-capture"},
        )
    except Exception as error:
        logger.error(
            "Order %s: capture of %s failed (%s); the order stands, reconciliation retries",
            attempt.order_number,
            attempt.payment_intent_id,
            error,
        )
        return False
    record_capture(attempt, intent.amount_received or attempt.amount)
    return True


def record_capture(attempt: PaymentAttempt, amount_minor: int) -> None:
    """Note a capture once, whether our capture call or Stripe's webhook reports it first."""
    with transaction.atomic():
        locked = _locked_with_order(attempt.pk)
        if locked.status == PaymentAttempt.Status.CAPTURED or locked.order_id is None:
            return
        amount = from_minor_units(amount_minor, locked.currency)
        if locked.card_source_id is not None:
            # Oscar's `Source.debit()`, without reading the source first or saving its every
            # column: the sum is added in the database, under the attempt's lock.
            Source.objects.filter(pk=locked.card_source_id).update(
                amount_debited=F("amount_debited") + amount
            )
            Transaction.objects.create(
                source_id=locked.card_source_id,
                txn_type=Transaction.DEBIT,
                amount=amount,
                reference=locked.payment_intent_id,
                status=IntentStatus.SUCCEEDED,
            )
        payment_event(locked.order, "Captured", amount, locked.payment_intent_id)
        if locked.order.status == settings.OSCAR_INITIAL_ORDER_STATUS:
            change_status(locked.order, PAID)
        locked.status = PaymentAttempt.Status.CAPTURED
        locked.save(update_fields=["status", "updated"])
    attempt.status = PaymentAttempt.Status.CAPTURED
    logger.info("Order %s: payment captured", attempt.order_number)


NOT_PAID_NOTE = (
    "Stripe cancelled the card authorisation before it was captured: this order is NOT paid. "
    "Contact the customer before shipping."
)


def record_cancellation(attempt: PaymentAttempt) -> bool:
    """Stripe cancelled the attempt's card hold (by hand, or it expired) before we captured it:
    note on its placed order, once, that the order is not paid. True when it noted it. Whether
    Stripe's webhook or reconciliation reports it first, or both at once, under the attempt's
    lock."""
    with transaction.atomic():
        locked = _locked_with_order(attempt.pk)
        unpaid = locked.order_id is not None and locked.status == PaymentAttempt.Status.PLACED
        if unpaid:
            OrderNote.objects.create(order=locked.order, note_type="System", message=NOT_PAID_NOTE)
        if locked.status != PaymentAttempt.Status.CAPTURED:
            locked.status = PaymentAttempt.Status.CANCELLED
            locked.save(update_fields=["status", "updated"])
    attempt.status = locked.status
    return unpaid


def _locked_with_order(pk: int) -> PaymentAttempt:
    """The attempt, row-locked until the transaction ends, with its order and the id of the
    order's card source for its PaymentIntent (`card_source_id`, None without one): by SQL
    compiled once per process (shop.statements), as every capture, ours or the webhook's, reads
    it."""
    using = router.db_for_write(PaymentAttempt)

    def locked_attempt():  # built only for the first compile, not on every capture
        card_source = Source.objects.filter(
            order_id=OuterRef("order_id"), reference=OuterRef("payment_intent_id")
        ).order_by("pk")
        return (
            PaymentAttempt.objects.using(using)
            .select_for_update(of=("self",))
            .select_related("order")
            .annotate(card_source_id=Subquery(card_source.values("pk")[:1]))
            .filter(pk=Statement.PLACEHOLDER)
        )

    found = Statement.compiled(("payments:locked-attempt", using), locked_attempt).run(pk)
    if not found:
        raise PaymentAttempt.DoesNotExist(f"No payment attempt {pk}")
    return found[0]


class RefundFailed(Exception):
    """Stripe refused or could not be reached; the message is fit for staff."""


def refund(order, amount: Decimal, *, user=None, reason: str = "", request_key: str = "") -> Refund:
    """Refund part or all of an order's captured payment through Stripe, and record it.

    `request_key` identifies one submission of the refund form: a double submit finds the refund
    the first one made (and Stripe replays it), instead of refunding twice.
    """
    with transaction.atomic():
        # One refund of an order at a time: the refundable amount is read under this lock.
        source = _locked_card_source(order)
        if request_key:
            done = Refund.objects.filter(order=order, request_key=request_key).first()
            if done is not None:
                return done
        attempt = PaymentAttempt.objects.filter(
            order=order, status=PaymentAttempt.Status.CAPTURED
        ).first()
        if source is None or attempt is None:
            raise RefundFailed(_("This order has no captured card payment to refund."))
        refundable = source.amount_available_for_refund
        if amount <= 0 or amount > refundable:
            raise RefundFailed(
                _("Enter an amount between 0.01 and %(max)s.") % {"max": f"{refundable:.2f}"}
            )
        try:
            made = stripe_client().v1.refunds.create(
                {
                    "payment_intent": attempt.payment_intent_id,
                    "amount": minor_units(amount, attempt.currency),
                    "metadata": {"order_number": order.number},
                },
                {"idempotency_key": f"refund-{request_key or uuid.uuid4().hex}"},
            )
        except PaymentsOff as error:
            raise RefundFailed(
                _("Stripe keys are not configured, so no refund was made.")
            ) from error
        except stripe.StripeError as error:
            logger.error("Order %s: refund of %s failed: %s", order.number, amount, error)
            if isinstance(error, TRANSIENT):
                message = _(
                    "Stripe could not be reached, so no refund was made. Try again shortly."
                )
            else:
                message = _("Stripe refused the refund: %(reason)s") % {
                    "reason": error.user_message or str(error)
                }
            raise RefundFailed(message) from error
        return record_refund(
            order,
            made.id,
            made.amount,
            made.currency,
            user=user,
            reason=reason,
            request_key=request_key,
        )


def record_refund(
    order, refund_id, amount_minor, currency, *, user=None, reason="", request_key=""
) -> Refund:
    """Record a Stripe refund on the order once, however many times it is reported."""
    with transaction.atomic():
        # Lock the payment source first: our refund and Stripe's webhook may report it at once.
        source = _locked_card_source(order)
        existing = Refund.objects.filter(refund_id=refund_id).first()
        if existing:
            return existing
        amount = from_minor_units(amount_minor, currency)
        made = Refund.objects.create(
            refund_id=refund_id,
            order=order,
            amount=amount,
            currency=currency.upper(),
            reason=reason,
            created_by=user,
            request_key=request_key,
        )
        if source:
            source.refund(amount, reference=refund_id, status="succeeded")
        payment_event(order, "Refunded", amount, refund_id)
    logger.info("Order %s: refund %s of %s recorded", order.number, refund_id, amount)
    return made


# --- helpers ---------------------------------------------------------------------------------


def payment_event(order, name: str, amount: Decimal, reference: str) -> None:
    """An entry in the order's payment history (Oscar's PaymentEvent), shown to staff."""
    PaymentEvent.objects.create(
        order=order, event_type_id=kinds.event_type_id(name), amount=amount, reference=reference
    )


def _locked_card_source(order):
    """The order's card payment source, row-locked until the transaction ends (None if unpaid)."""
    return (
        Source.objects.select_for_update()
        .filter(order=order, source_type__code=CARD_SOURCE_TYPE_CODE)
        .first()
    )


def _outcome(attempt: PaymentAttempt, intent) -> Outcome:
    status = intent.status
    if status in (IntentStatus.REQUIRES_CAPTURE, IntentStatus.SUCCEEDED):
        if intent.amount != attempt.amount or intent.currency.upper() != attempt.currency:
            logger.error("Order %s: Stripe authorised a different amount", attempt.order_number)
            return _release(attempt, _("We could not take the payment."))
        return _finish(attempt, PaymentAttempt.Status.AUTHORISED, log=False)
    if status == IntentStatus.REQUIRES_ACTION and intent.next_action:
        url = intent.next_action.redirect_to_url.url
        _finish(attempt, PaymentAttempt.Status.REQUIRES_ACTION, log=False)
        return Outcome(PaymentAttempt.Status.REQUIRES_ACTION, redirect_url=url)
    if status == IntentStatus.REQUIRES_PAYMENT_METHOD:
        error = intent.last_payment_error
        return _finish(attempt, PaymentAttempt.Status.DECLINED, _declined(error and error.message))
    logger.error("Order %s: PaymentIntent in state %s", attempt.order_number, status)
    return _release(attempt, _("We could not take the payment."))


def _finish(
    attempt, status: PaymentAttempt.Status, message: str = "", *, log: bool = True
) -> Outcome:
    """Save where the attempt stands (one of the four an Outcome names) and report it."""
    attempt.status = status
    attempt.message = str(message)[:500]
    attempt.save(update_fields=["status", "message", "payment_intent_id", "updated"])
    if log and message:
        logger.warning(
            "Order %s (basket %s): %s: %s", attempt.order_number, attempt.basket_id, status, message
        )
    return Outcome(status, message)


def _release(attempt, why: str, then: str = "") -> Outcome:
    """Cancel what Stripe holds for an attempt we will not use; the shopper is told why, and
    whether the hold is gone or will go (if Stripe cannot be told, reconciliation releases it)."""
    released = cancel(attempt)
    return Outcome(PaymentAttempt.Status.FAILED, release_message(why, released=released, then=then))


def _to_release(attempt: PaymentAttempt) -> bool:
    """Mark a hold we could not cancel: it is never made into an order; reconciliation cancels it."""
    _mark(attempt, PaymentAttempt.Status.RELEASE)
    return False


def _mark(attempt: PaymentAttempt, status: PaymentAttempt.Status) -> None:
    attempt.status = status
    attempt.save(update_fields=["status", "payment_intent_id", "updated"])


def _declined(message: str | None) -> str:
    """A declined card holds nothing: the shopper may safely pay another way."""
    return f"{message or _('Your card was declined.')} {NOT_CHARGED}"


def _unavailable(attempt, doing: str, error: Exception) -> Outcome:
    logger.error(
        "Order %s (basket %s): Stripe failed while %s: %s",
        attempt.order_number,
        attempt.basket_id,
        doing,
        error,
    )
    # A refused request or payments off made no authorisation. Any other failure (Stripe unreachable,
    # slow or down) may have lost the answer to one that was made.
    refused = isinstance(error, stripe.StripeError) and not isinstance(error, TRANSIENT)
    transient = not (refused or isinstance(error, PaymentsOff))
    message = lost_reply_message() if transient else FAILED
    outcome = _finish(attempt, PaymentAttempt.Status.FAILED, message, log=False)
    return replace(outcome, transient=transient)
