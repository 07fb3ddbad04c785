"""The order app listens for refunds, however they are recorded, to tell the customer.

A refund is one `payments.Refund` row per Stripe refund id: made from the dashboard's refund form,
by a cancellation, or in Stripe's own dashboard and reported by the webhook. The row is created
once, so the customer gets one "refund issued" e-mail per refund, sent after it commits.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from shop.order import emails
from shop.payments.models import Refund


@receiver(post_save, sender=Refund, dispatch_uid="shop.order.refund_issued_email")
def tell_the_customer_of_a_refund(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        transaction.on_commit(partial(_send_refund_issued, instance.pk))


def _send_refund_issued(refund_pk) -> None:
    refund = Refund.objects.select_related("order__user").filter(pk=refund_pk).first()
    if refund is not None:
        emails.send_refund_issued(refund)
