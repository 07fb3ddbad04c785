"""The order and line statuses, and which may follow which: the one place they are decided.

An order is placed when the card is authorised ("Pending payment") and is "Paid" once the money
is captured. Dispatching some lines makes it "Partially dispatched", all of them "Dispatched".
Staff cancel before dispatch ("Cancelled": allocations released, authorisation cancelled or the
payment refunded); a fully refunded order after dispatch is "Refunded". Oscar's `set_status`
enforces these through OSCAR_ORDER_STATUS_PIPELINE / OSCAR_LINE_STATUS_PIPELINE (settings.py
reads them from here) and raises InvalidOrderStatus for anything else.

Plain constants: settings.py imports this module, so it must not import Django models.
"""

PENDING_PAYMENT = "Pending payment"
PAID = "Paid"
PARTIALLY_DISPATCHED = "Partially dispatched"
DISPATCHED = "Dispatched"
CANCELLED = "Cancelled"
REFUNDED = "Refunded"

ORDER_PIPELINE: dict[str, tuple[str, ...]] = {
    PENDING_PAYMENT: (PAID, CANCELLED),
    PAID: (PARTIALLY_DISPATCHED, DISPATCHED, CANCELLED),
    PARTIALLY_DISPATCHED: (DISPATCHED, REFUNDED),
    DISPATCHED: (REFUNDED,),
    CANCELLED: (),
    REFUNDED: (),
}

# A line is dispatched or cancelled whole; a dispatched line can be refunded (a return).
LINE_PIPELINE: dict[str, tuple[str, ...]] = {
    PENDING_PAYMENT: (PAID, CANCELLED),
    PAID: (DISPATCHED, CANCELLED),
    DISPATCHED: (REFUNDED,),
    CANCELLED: (),
    REFUNDED: (),
}

# An order's new status passes to those of its lines that may take it (Oscar skips the others).
CASCADE = {status: status for status in ORDER_PIPELINE if status in LINE_PIPELINE}

# Statuses from which staff may still cancel (nothing has left the warehouse).
CANCELLABLE = frozenset({PENDING_PAYMENT, PAID})


def can_change(pipeline: dict[str, tuple[str, ...]], current: str, new: str) -> bool:
    return new in pipeline.get(current, ())


def change_status(order, new: str) -> None:
    """Oscar's `Order.set_status` (the same checks, signal and status change), passing the status
    on to the lines that may take it with one UPDATE instead of reading the lines and saving each:
    the capture of every order runs it. Order lines have no save receivers to miss, and the order
    saves only its status."""
    from oscar.apps.order.exceptions import InvalidOrderStatus
    from oscar.apps.order.signals import order_status_changed

    old = order.status
    if new == old:
        return
    if not can_change(ORDER_PIPELINE, old, new):
        raise InvalidOrderStatus(f"'{new}' is not a valid status for order {order.number}")
    order.status = new
    if new in CASCADE:
        line_status = CASCADE[new]
        order.lines.filter(
            status__in=[
                status for status in LINE_PIPELINE if can_change(LINE_PIPELINE, status, line_status)
            ]
        ).update(status=line_status)
    order.save(update_fields=["status"])  # nothing else of the order changes with its status
    order_status_changed.send(sender=order, order=order, old_status=old, new_status=new)
    order._create_order_status_change(old, new)
