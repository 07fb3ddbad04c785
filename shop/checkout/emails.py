"""Order confirmation e-mails, sent after the order commits and retried while the mail server is down.

A paid order must never turn into an error page because SMTP is unreachable: the first try happens
straight after the order is saved; if it fails, a background task (django-tasks, run by
`manage.py db_worker`) tries again with growing delays.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from oscar.core.loading import get_class, get_model

logger = logging.getLogger("shop.checkout")

Order = get_model("order", "Order")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

# Seconds to wait before each retry: a minute, five, half an hour, two hours, six hours.
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)


def send_order_placed_email(order, context: dict) -> bool:
    """Send it now; on failure, log with the order number and schedule the first retry."""
    try:
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
    except Exception as error:  # whatever the mail backend raises, retry later
        logger.error("Order %s: confirmation e-mail failed (%s); will retry", order.number, error)
        _schedule_retry(str(order.number), attempt=1)
        return False
    return True


@task()
def retry_order_placed_email(order_number: str, attempt: int) -> None:
    order = Order._default_manager.select_related("user").get(number=order_number)
    try:
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(
            order, message_context(order)
        )
    except Exception as error:
        logger.error(
            "Order %s: confirmation e-mail retry %s failed (%s)", order_number, attempt, error
        )
        _schedule_retry(order_number, attempt + 1)
    else:
        logger.info("Order %s: confirmation e-mail sent on retry %s", order_number, attempt)


def message_context(order) -> dict:
    """What the checkout gives the e-mail templates, rebuilt without a request."""
    if order.user_id:
        path = reverse("customer:order", kwargs={"order_number": order.number})
    else:
        path = reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    scheme = "http" if settings.DEBUG else "https"
    return {
        "user": order.user,
        "order": order,
        "lines": order.lines.all(),
        "status_path": path,
        "status_url": f"{scheme}://{Site.objects.get_current().domain}{path}",
    }


def _schedule_retry(order_number: str, attempt: int) -> None:
    if attempt > len(RETRY_DELAYS):
        logger.error("Order %s: giving up on the confirmation e-mail", order_number)
        return
    run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt - 1])
    retry_order_placed_email.using(run_after=run_after).enqueue(order_number, attempt)
