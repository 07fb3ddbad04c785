"""Dispatching orders: the one function that records a parcel leaving the warehouse.

`dispatch()` locks the order row, so two posts of the same form (a double click, two staff on
one order) are applied one after the other and the second finds nothing left to send. In the same
transaction it records Oscar's "Dispatched" shipping event with the lines and quantities that
went, consumes their stock allocation (shop.order.utils.consume), moves line and order statuses
along the pipeline, and queues the "on its way" e-mail: either all of it happens, or none.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.order import emails, pipeline
from shop.order.models import Carrier, Shipment, clean_tracking_number
from shop.order.utils import consume

logger = logging.getLogger("shop.order")

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")
ShippingEventType = get_model("order", "ShippingEventType")

DISPATCHED_EVENT_CODE = "dispatched"

# Orders with something paid for and not yet sent.
DISPATCHABLE = frozenset({pipeline.PAID, pipeline.PARTIALLY_DISPATCHED})


class DispatchRefused(Exception):
    """Nothing was dispatched; the message says why, in words for staff."""


@dataclass(frozen=True)
class LineLeft:
    line: object
    dispatched: int
    left: int


def lines_left(order) -> list[LineLeft]:
    """Each line of the order, with how many units already went and how many may still go (none
    for a line that is not paid: cancelled or refunded lines stay behind). Two queries."""
    event_type = dispatched_event_type()
    sent = dict(
        ShippingEventQuantity.objects.filter(event__order=order, event__event_type=event_type)
        .values("line")
        .annotate(total=Sum("quantity"))
        .values_list("line", "total")
    )
    lines = order.lines.select_related("stockrecord__product__product_class", "product")
    return [
        LineLeft(
            line,
            sent.get(line.pk, 0),
            max(line.quantity - sent.get(line.pk, 0), 0) if line.status == pipeline.PAID else 0,
        )
        for line in lines.order_by("pk")
    ]


def dispatched_event_type():
    """Oscar's shipping event type "Dispatched" (a data migration makes it)."""
    event_type, _created = ShippingEventType.objects.get_or_create(
        code=DISPATCHED_EVENT_CODE, defaults={"name": pipeline.DISPATCHED}
    )
    return event_type


def dispatch(
    order,
    *,
    carrier: str,
    tracking_number: str,
    by=None,
    quantities: dict[int, int] | None = None,
    request_key: str = "",
) -> Shipment:
    """Record one parcel of `order`: `quantities` maps line ids to units sent (lines left out
    stay behind); None sends everything still to send. Raises DispatchRefused, changing nothing.

    A form posted twice carries the same `request_key`: the second post returns the shipment the
    first one made."""
    if carrier not in Carrier.values:
        raise DispatchRefused(_("Unknown carrier “%s”.") % carrier)
    try:
        tracking_number = clean_tracking_number(tracking_number)
    except Exception as error:
        raise DispatchRefused(" ".join(error.messages)) from None

    with transaction.atomic():
        # Only the order's row: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
        order = (
            Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=order.pk)
        )
        if request_key:
            earlier = Shipment.objects.filter(order=order, request_key=request_key).first()
            if earlier is not None:
                return earlier
        if order.status not in DISPATCHABLE:
            if order.status == pipeline.DISPATCHED:
                raise DispatchRefused(_("Order %s has already been dispatched.") % order.number)
            raise DispatchRefused(
                _("Order %(number)s is not ready to dispatch (its status is “%(status)s”).")
                % {"number": order.number, "status": order.status}
            )
        left = lines_left(order)
        going = _quantities_going(order, left, quantities)

        event = ShippingEvent.objects.create(
            order=order,
            event_type=dispatched_event_type(),
            notes=f"{Carrier(carrier).label} {tracking_number}",
        )
        # Bounded above; Oscar's per-row save() would count what went once more for each line.
        ShippingEventQuantity.objects.bulk_create(
            ShippingEventQuantity(event=event, line=item.line, quantity=going[item.line.pk])
            for item in left
            if going.get(item.line.pk)
        )
        finished = True
        for item in left:
            quantity = going.get(item.line.pk, 0)
            if quantity:
                consume(item.line, quantity)
            if quantity and quantity == item.left:
                item.line.set_status(pipeline.DISPATCHED)
            elif item.left:
                finished = False
        order.set_status(pipeline.DISPATCHED if finished else pipeline.PARTIALLY_DISPATCHED)

        shipment = Shipment.objects.create(
            order=order,
            event=event,
            carrier=carrier,
            tracking_number=tracking_number,
            created_by=by,
            request_key=request_key or None,
        )
        OrderNote.objects.create(
            order=order,
            user=by,
            note_type=OrderNote.SYSTEM,
            message=_("Dispatched by %(carrier)s, tracking number %(number)s: %(lines)s")
            % {
                "carrier": Carrier(carrier).label,
                "number": tracking_number,
                "lines": ", ".join(
                    f"{going[item.line.pk]} x {item.line.title}"
                    for item in left
                    if going.get(item.line.pk)
                ),
            },
        )
        # Queued in the dispatch's transaction: one e-mail per shipment, none for a rollback.
        emails.send_order_dispatched(
            shipment,
            dispatched=[(item.line, going[item.line.pk]) for item in left if item.line.pk in going],
            still_to_come=[
                (item.line, item.left - going.get(item.line.pk, 0))
                for item in left
                if item.left > going.get(item.line.pk, 0)
            ],
        )
    return shipment


def _quantities_going(order, left: list[LineLeft], quantities) -> dict[int, int]:
    if quantities is None:
        going = {item.line.pk: item.left for item in left if item.left}
    else:
        by_line = {item.line.pk: item for item in left}
        going = {}
        for line_id, quantity in quantities.items():
            if not quantity:
                continue
            item = by_line.get(line_id)
            if item is None:
                raise DispatchRefused(_("Line %s is not part of this order.") % line_id)
            if quantity < 0 or quantity > item.left:
                raise DispatchRefused(
                    _("Only %(left)s of “%(title)s” are left to dispatch, not %(quantity)s.")
                    % {"left": item.left, "title": item.line.title, "quantity": quantity}
                )
            going[line_id] = quantity
    if not going:
        raise DispatchRefused(_("Order %s has nothing left to dispatch.") % order.number)
    return going
