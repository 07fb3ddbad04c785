"""The order confirmation e-mail, queued for the task worker once the order is paid.

Oscar's dispatcher renders it and the shop's mail backend (shop.mail) queues it: the worker sends
it and retries while the mail server is down. Queuing is a database insert, and even that failing
must not turn a paid order into an error page.
"""

import logging

from django.conf import settings
from django.contrib.sites.models import Site
from django.urls import reverse
from oscar.core.loading import get_class

logger = logging.getLogger("shop.checkout")

OrderDispatcher = get_class("order.utils", "OrderDispatcher")


def send_order_placed_email(order, context: dict) -> bool:
    """Queue it; on failure, log with the order number (the order and the payment stand)."""
    try:
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
    except Exception as error:  # never fatal for an order already placed
        logger.error("Order %s: confirmation e-mail could not be queued (%s)", order.number, error)
        return False
    return True


def message_context(order) -> dict:
    """What the checkout gives the e-mail templates, rebuilt without a request."""
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
        "status_url": absolute_url(path),
    }


def absolute_url(path: str) -> str:
    """A link for an e-mail sent without a request: the site's domain from the Sites framework."""
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}{path}"
