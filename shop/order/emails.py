"""The e-mails a customer gets about an order after placing it: cancelled, and refund issued.

Oscar's dispatcher renders them from communication types (made by migration 0022, editable in the
dashboard's Emails section; templates/oscar/communication/emails/ holds their default text) and the
shop's mail backend queues them for the task worker, which sends and retries. They are called once
the change they tell of has committed, and failing to queue one never undoes that change.
"""

import logging

from oscar.core.loading import get_class

from shop.checkout.emails import message_context

logger = logging.getLogger("shop.order")

OrderDispatcher = get_class("order.utils", "OrderDispatcher")

ORDER_CANCELLED = "ORDER_CANCELLED"
REFUND_ISSUED = "REFUND_ISSUED"


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
        dispatcher = OrderDispatcher(logger=logger)
        messages = dispatcher.dispatcher.get_messages(code, context)
        dispatcher.dispatch_order_messages(order, messages, code)
    except Exception as error:  # the cancellation or refund stands either way
        logger.error("Order %s: the %s e-mail could not be queued (%s)", order.number, code, error)
        return False
    return True
