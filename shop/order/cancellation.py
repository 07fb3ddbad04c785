"""Staff cancel an order, or some of its lines, before anything has left the warehouse: the one
place that releases the stock and the payment and records the cancellation.

Everything happens in one transaction under row locks, taken in the order the capture takes them
(payment attempt, then order): two clicks or two staff cancel once, and a capture reported at the
same moment waits for us. Stripe is told last, so if it fails the transaction is rolled back and
the order stays exactly as it was. A captured payment is refunded with a key derived from what is
cancelled: if the request dies after Stripe refunded, cancelling again replays the same refund.

A payment that is only authorised can be released whole, never in part, so cancelling some lines
of such an order is refused.
"""

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from shop.order import emails
from shop.order.pipeline import CANCELLABLE, CANCELLED, LINE_PIPELINE, can_change
from shop.payments import services as payments
from shop.payments.client import stripe_client
from shop.payments.intents import IntentStatus
from shop.payments.models import CARD_SOURCE_TYPE_CODE, PaymentAttempt, Refund
from shop.payments.money import from_minor_units

logger = logging.getLogger("shop.order")

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
Source = get_model("payment", "Source")


class CancellationRefused(Exception):
    """Nothing was cancelled; the message says why, fit for staff."""


@dataclass(frozen=True)
class Cancellation:
    order: object
    lines: tuple  # the lines cancelled now (empty when this was a repeat)
    whole_order: bool
    refund: Refund | None = None  # the card refund made for it, if the payment was captured
    released_authorisation: bool = False  # the card hold was cancelled: nothing was taken
    released_units: int = 0  # units given back to the stock
    repeated: bool = False  # already cancelled (a second click): nothing more was done


def cancel_order(order, *, user, line_ids=None, reason: str = "") -> Cancellation:
    """Cancel the whole order (`line_ids` None), or the lines named; cancelling every line still
    open cancels the order. Raises CancellationRefused, having changed nothing."""
    with transaction.atomic():
        attempt = (
            PaymentAttempt.objects.select_for_update()
            .filter(
                order=order,
                status__in=(PaymentAttempt.Status.PLACED, PaymentAttempt.Status.CAPTURED),
            )
            .first()
        )
        order = Order.objects.select_for_update().get(pk=order.pk)
        lines = list(order.lines.select_related("stockrecord__product__product_class"))
        chosen = _chosen_lines(lines, line_ids)
        if order.status == CANCELLED or all(line.status == CANCELLED for line in chosen):
            return Cancellation(order, (), whole_order=line_ids is None, repeated=True)
        if order.status not in CANCELLABLE:
            raise CancellationRefused(
                _("An order that is “%(status)s” cannot be cancelled.") % {"status": order.status}
            )
        chosen = [line for line in chosen if line.status != CANCELLED]
        for line in chosen:
            if not can_change(LINE_PIPELINE, line.status, CANCELLED):
                raise CancellationRefused(
                    _("“%(title)s” is “%(status)s” and cannot be cancelled.")
                    % {"title": line.title, "status": line.status}
                )
        still_open = [line for line in lines if line.status != CANCELLED]
        whole = len(chosen) == len(still_open)
        authorised_only = attempt is not None and attempt.status == PaymentAttempt.Status.PLACED
        if authorised_only and not whole:
            raise CancellationRefused(
                _(
                    "The payment for this order is only authorised, not taken yet, and an "
                    "authorisation can only be released whole: cancel the whole order, or cancel "
                    "these items once the payment has been captured."
                )
            )

        released_units = sum(_release_stock(line) for line in chosen)
        if whole:
            order.set_status(CANCELLED)  # its open lines follow (pipeline.CASCADE)
        else:
            for line in chosen:
                line.set_status(CANCELLED)

        made, released = None, False
        if authorised_only:
            _release_authorisation(order, attempt)
            released = True
        elif attempt is not None:
            made = _refund(order, chosen, whole=whole, user=user, reason=reason)

        done = Cancellation(
            order,
            tuple(chosen),
            whole_order=whole,
            refund=made,
            released_authorisation=released,
            released_units=released_units,
        )
        order.notes.create(user=user, note_type=OrderNote.SYSTEM, message=summary(done, reason))
        transaction.on_commit(lambda: emails.send_order_cancelled(done, reason=reason))
    logger.info("Order %s: %s cancelled by %s", order.number, _what(done), user)
    return done


def item_label(line) -> str:
    """An order line as staff and the customer read it: "Sleepy Fox Pin (qty 2)"."""
    return _("%(title)s (qty %(quantity)s)") % {"title": line.title, "quantity": line.quantity}


def _chosen_lines(lines, line_ids) -> list:
    if line_ids is None:
        return lines
    wanted = {str(each) for each in line_ids}
    chosen = [line for line in lines if str(line.pk) in wanted]
    if not chosen or len(chosen) != len(wanted):
        raise CancellationRefused(_("Choose the items of this order to cancel."))
    return chosen


def _release_stock(line) -> int:
    """Give the units the line holds back to the stock (Oscar's own: the line locked, the stock
    record changed by one F() update); how many went back."""
    held = line.num_allocated or 0
    if not line.stockrecord_id or not held or line.allocation_cancelled:
        return 0
    if not line.can_track_allocations:
        return 0
    line.cancel_allocation(held)
    return held


def _release_authorisation(order, attempt) -> None:
    """Cancel the card hold, or raise (rolling back) when Stripe could not be told."""
    if not payments.cancel(attempt):
        raise CancellationRefused(
            _(
                "Stripe could not release the card authorisation, so nothing was cancelled. "
                "Try again shortly."
            )
        )
    # Stripe answers a cancel of an intent captured meanwhile as "unexpected state", which
    # cancel() takes for done: look, so a captured payment is never left on a cancelled order.
    try:
        status = stripe_client().v1.payment_intents.retrieve(attempt.payment_intent_id).status
    except Exception as error:  # cancel() succeeded; reading back is only a check
        logger.warning("Order %s: could not read back the cancel (%s)", attempt.order_number, error)
        status = IntentStatus.CANCELED
    if status == IntentStatus.SUCCEEDED:
        raise CancellationRefused(
            _(
                "The payment was captured while you were cancelling, so nothing was cancelled. "
                "Reload the page and cancel again: the payment will be refunded."
            )
        )
    held = from_minor_units(attempt.amount, attempt.currency)
    payments.payment_event(order, "Authorisation released", held, attempt.payment_intent_id)


def _refund(order, lines, *, whole: bool, user, reason: str) -> Refund | None:
    """Refund what the cancelled lines cost (all that is left to refund, for the whole order)."""
    source = (
        Source.objects.select_for_update()
        .filter(order=order, source_type__code=CARD_SOURCE_TYPE_CODE)
        .first()
    )
    refundable = source.amount_available_for_refund if source else Decimal("0.00")
    cost = sum((line.line_price_incl_tax for line in lines), Decimal("0.00"))
    amount = refundable if whole else min(cost, refundable)
    if amount <= 0:
        return None
    try:
        return payments.refund(
            order,
            amount,
            user=user,
            reason=(_("Cancelled: %(reason)s") % {"reason": reason} if reason else _("Cancelled"))[
                :255
            ],
            request_key=_request_key(order, lines, whole=whole),
        )
    except payments.RefundFailed as error:
        raise CancellationRefused(_("Nothing was cancelled. %s") % error) from error


def _request_key(order, lines, *, whole: bool) -> str:
    """The same for the same cancellation, and a line is cancelled once: one refund per key."""
    what = ",".join(str(pk) for pk in sorted(line.pk for line in lines))
    digest = hashlib.sha256(f"{order.pk}:{'all' if whole else 'lines'}:{what}".encode())
    return f"cancel-{digest.hexdigest()[:40]}"


def _what(done: Cancellation) -> str:
    if done.whole_order:
        return _("the whole order")
    return ", ".join(item_label(line) for line in done.lines)


def summary(done: Cancellation, reason: str = "") -> str:
    """What a cancellation did, as the order note records it and staff are told."""
    if done.whole_order:
        parts = [_("Order %(number)s cancelled.") % {"number": done.order.number}]
    else:
        parts = [_("Cancelled: %(items)s.") % {"items": _what(done)}]
    if reason:
        parts.append(_("Reason: %(reason)s.") % {"reason": reason})
    if done.released_units:
        parts.append(_("%(count)s unit(s) back in stock.") % {"count": done.released_units})
    if done.refund is not None:
        parts.append(
            _("Refunded %(amount)s to the customer's card (Stripe refund %(id)s).")
            % {
                "amount": currency(done.refund.amount, done.refund.currency),
                "id": done.refund.refund_id,
            }
        )
    if done.released_authorisation:
        parts.append(_("The card authorisation was released: nothing was taken."))
    return " ".join(parts)
