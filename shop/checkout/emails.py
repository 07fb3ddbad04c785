"""The order confirmation e-mail, written by the task worker once the order is paid.

"Place order" only queues `send_order_confirmation` with the order number (one insert): the worker
renders the message from the order with Oscar's dispatcher, records the order's communication
event, and hands the message to the shop's mail backend (shop.mail), whose `deliver_email` task
sends it and retries while the mail server is down. Even the queuing failing must not turn a paid
order into an error page.
"""

import logging

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django_tasks import task
from oscar.core.loading import get_class, get_model

logger = logging.getLogger("shop.checkout")

CommunicationEvent = get_model("order", "CommunicationEvent")
CommunicationEventType = get_model("communication", "CommunicationEventType")
Order = get_model("order", "Order")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")


def queue_order_confirmation(order_number: str, *, site_root: str = "") -> bool:
    """Queue the confirmation; on failure, log with the order number (the order and the payment
    stand). `site_root` ("https://host") is where the shopper placed the order, for its link."""
    try:
        send_order_confirmation.enqueue(order_number, site_root)
    except Exception as error:  # never fatal for an order already placed
        logger.error("Order %s: confirmation e-mail could not be queued (%s)", order_number, error)
        return False
    return True


@task()
def send_order_confirmation(order_number: str, site_root: str) -> bool:
    """Render the confirmation and queue it for delivery, once per order: a run again (a worker
    killed after this commit, a twin worker) finds the order's ORDER_PLACED event and stops."""
    code = OrderDispatcher.ORDER_PLACED_EVENT_CODE
    with transaction.atomic():  # the event and the queued message commit together
        order = (
            Order._default_manager.select_for_update(of=("self",))
            .select_related("user", "shipping_address", "shipping_address__country")
            .filter(number=order_number)
            .first()
        )
        if order is None:
            logger.error("Order %s: no such order, no confirmation", order_number)
            return False
        event_type = (
            CommunicationEventType._default_manager.filter(code=code)
            .annotate(
                sent=Exists(
                    CommunicationEvent._default_manager.filter(
                        order=order, event_type=OuterRef("pk")
                    )
                )
            )
            .first()
        )
        if event_type is not None and event_type.sent:
            return False
        context = message_context(order, site_root=site_root)
        KnownTypeDispatcher(event_type or CommunicationEventType(code=code), logger=logger).send(
            order, context
        )
    return True


class KnownTypeDispatcher(OrderDispatcher):
    """Oscar's order dispatcher given the communication type read with the check above: Oscar's
    reads it again to render the messages and again to record the event."""

    def __init__(self, event_type, **kwargs):
        super().__init__(**kwargs)
        self.event_type = event_type

    def send(self, order, extra_context: dict) -> None:
        """Oscar's `send_order_placed_email_for_user` and `dispatch_order_messages`: the event is
        recorded only for a type stored in the database, as there."""
        dispatcher = self.dispatcher
        messages = self.event_type.get_messages(dispatcher.get_base_context(**extra_context))
        dispatcher.logger.info(
            "Order #%s - sending %s messages", order.number, self.event_type.code
        )
        if order.is_anonymous:
            sent = dispatcher.dispatch_anonymous_messages(order.guest_email, messages, None)
        else:
            sent = dispatcher.dispatch_user_messages(order.user, messages, None)
        self.create_communication_event(
            order, self.event_type if self.event_type.pk else None, sent
        )


def message_context(order, *, site_root: str = "") -> dict:
    """What the checkout gives the e-mail templates, rebuilt without a request: the link starts
    with `site_root` when given, else with the Sites framework's domain."""
    if order.user_id:
        path = reverse("customer:order", kwargs={"order_number": order.number})
    else:
        path = reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    return {
        "user": order.user,
        "order": order,
        "lines": order.lines.all(),
        "status_path": path,
        "status_url": f"{site_root}{path}" if site_root else absolute_url(path),
    }


def absolute_url(path: str) -> str:
    """A link for an e-mail sent without a request: the site's domain from the Sites framework."""
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}{path}"
