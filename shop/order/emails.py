"""The e-mails a customer gets about an order after placing it: dispatched, cancelled, and refund
issued.

Oscar's dispatcher renders them from communication types (made by migrations 0022 and 0024,
editable in the dashboard's Emails section; templates/oscar/communication/emails/ holds their default text) and the
shop's mail backend queues them for the task worker, which sends and retries. Failing to queue
one never undoes the change it tells of.
"""

import logging

from django.db import transaction
from oscar.core.loading import get_class

from shop.checkout.emails import message_context

logger = logging.getLogger("shop.order")

OrderDispatcher = get_class("order.utils", "OrderDispatcher")

ORDER_DISPATCHED = "ORDER_DISPATCHED"
ORDER_CANCELLED = "ORDER_CANCELLED"
REFUND_ISSUED = "REFUND_ISSUED"


def send_order_dispatched(shipment, *, dispatched: list, still_to_come: list) -> bool:
    """The parcel's carrier and tracking link, what is in it and what is still to come: each a
    list of (line, quantity)."""
    context = message_context(shipment.order) | {
        "shipment": shipment,
        "dispatched": dispatched,
        "still_to_come": still_to_come,
    }
    return _send(shipment.order, ORDER_DISPATCHED, context)


def send_order_cancelled(cancellation, *, reason: str = "") -> bool:
    """What was cancelled, and what happens to the money: refunded, or the hold released."""
    context = message_context(cancellation.order) | {
        "cancelled_lines": list(cancellation.lines),
        "whole_order": cancellation.whole_order,
        "refund": cancellation.refund,
        "released_authorisation": cancellation.released_authorisation,
        "reason": reason,
    }
    return _send(cancellation.order, ORDER_CANCELLED, context)


def send_refund_issued(refund) -> bool:
    """How much went back to the card, for which order, and why."""
    context = message_context(refund.order) | {"refund": refund, "reason": refund.reason}
    return _send(refund.order, REFUND_ISSUED, context)


def _send(order, code: str, context: dict) -> bool:
    try:
        # A savepoint: called inside a dispatch's transaction, a failure must not break it.
        with transaction.atomic():
            dispatcher = OrderDispatcher(logger=logger)
            messages = dispatcher.dispatcher.get_messages(code, context)
            dispatcher.dispatch_order_messages(order, messages, code)
    except Exception as error:  # the change stands either way
        logger.error("Order %s: the %s e-mail could not be queued (%s)", order.number, code, error)
        return False
    return True
