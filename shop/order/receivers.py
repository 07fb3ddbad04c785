"""The order app listens for refunds, however they are recorded, to tell the customer, and for
stock changes, to send back-in-stock alerts and keep low-stock alerts, for all but its own holds
of units that cannot change them.

A refund is one `payments.Refund` row per Stripe refund id: made from the dashboard's refund form,
by a cancellation, or in Stripe's own dashboard and reported by the webhook. The row is created
once, so the customer gets one "refund issued" e-mail per refund, sent after it commits.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from oscar.apps.customer.alerts.receivers import send_product_alerts
from oscar.apps.partner import receivers as partner_receivers
from oscar.core.loading import get_model

from catalogue.indexing import is_hold
from shop.order import emails
from shop.payments.models import Refund

StockRecord = get_model("partner", "StockRecord")


@receiver(post_save, sender=Refund, dispatch_uid="shop.order.refund_issued_email")
def tell_the_customer_of_a_refund(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        transaction.on_commit(partial(_send_refund_issued, instance.pk))


def _send_refund_issued(refund_pk) -> None:
    refund = Refund.objects.select_related("order__user").filter(pk=refund_pk).first()
    if refund is not None:
        emails.send_refund_issued(refund)


@receiver(post_save, sender=StockRecord, dispatch_uid="shop.order.back_in_stock_alerts")
def send_back_in_stock_alerts(sender, instance, raw=False, **kwargs):
    # Oscar's own receiver (OSCAR_EAGER_ALERTS, off) reads the product's stock and alerts on every
    # save: four queries per order line for a hold, which never brings a product back.
    if not is_hold(instance):
        send_product_alerts(sender, instance, raw=raw, **kwargs)


# Oscar's low-stock receiver reads the record's open alert on every save; ours, in its place, skips
# that for a hold that leaves the record above its threshold: a hold only lowers what is free, so
# it can open an alert, never close one.
post_save.disconnect(partner_receivers.update_stock_alerts, sender=StockRecord)


@receiver(post_save, sender=StockRecord, dispatch_uid="shop.order.low_stock_alerts")
def update_low_stock_alerts(sender, instance, created, **kwargs):
    if is_hold(instance) and not instance.is_below_threshold:
        return
    partner_receivers.update_stock_alerts(sender, instance, created, **kwargs)
