"""An order's progress as the shopper sees it: when it was placed, each status it has taken since
(Oscar's OrderStatusChange rows), then the steps still ahead on the usual way (shop.order.pipeline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from . import pipeline

# The way an order usually goes; a partial dispatch is a step on it only when it happens.
USUAL_WAY = (pipeline.PENDING_PAYMENT, pipeline.PAID, pipeline.DISPATCHED)
FINAL = frozenset({pipeline.DISPATCHED, pipeline.CANCELLED, pipeline.REFUNDED})


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None  # None: still ahead
    status: str = ""  # the order status the step stands for, "" for "placed"

    @property
    def is_done(self) -> bool:
        return self.at is not None


def order_timeline(order, changes) -> list[Step]:
    """`changes`: the order's status changes, in any order (one query: order.status_changes.all())."""
    steps = [Step(_("Order placed"), order.date_placed)]
    for change in sorted(changes, key=lambda change: change.date_created):
        steps.append(Step(change.new_status, change.date_created, change.new_status))
    if order.status not in FINAL:
        reached = {step.status for step in steps} | {order.status}
        # From a partial dispatch, the rest is still to go.
        at = (
            USUAL_WAY.index(order.status)
            if order.status in USUAL_WAY
            else USUAL_WAY.index(pipeline.PAID)
        )
        ahead = USUAL_WAY[at + 1 :]
        steps += [Step(status, None, status) for status in ahead if status not in reached]
    return steps
