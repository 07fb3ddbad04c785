"""What we remember about card payments, beside Oscar's own payment sources and events.

- `PaymentAttempt`: one try at paying for a basket. It holds our idempotency key (reused on every
  retry of the same try, so Stripe never makes a second PaymentIntent for it), how it ended, and
  the checkout it pays for (so the order can be placed without the browser).
- `WebhookEvent`: each Stripe event id, stored in the same transaction as its effect, so an event
  delivered twice (even at once) is applied once.
- `Refund`: each Stripe refund id, so a refund made in our dashboard and reported back by a webhook,
  or made in Stripe's dashboard, is recorded on the order exactly once.
- `CARD_SOURCE_TYPE_CODE`: the Oscar payment source type that card payments are recorded under.
"""

from decimal import Decimal

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.payments.money import minor_units

# The code of Oscar's payment source type (payment.SourceType) for card payments through Stripe.
CARD_SOURCE_TYPE_CODE = "stripe"


class PaymentAttempt(models.Model):
    class Status(models.TextChoices):
        STARTED = "started", _("Started")  # recorded; Stripe has not answered yet
        REQUIRES_ACTION = "requires_action", _("At 3-D Secure")
        AUTHORISED = "authorised", _("Authorised")  # money held; the order is being placed
        PLACED = "placed", _("Order placed")  # capture still to do (or to retry)
        CAPTURED = "captured", _("Captured")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Authorisation cancelled")  # no money moved
        # Not to be used (the order failed or the basket changed) but cancelling it failed:
        # reconciliation cancels it. Never made into an order.
        RELEASE = "release", _("To be released")
        FAILED = "failed", _("Failed")  # Stripe unreachable or refused the request

    basket = models.ForeignKey(
        "basket.Basket", null=True, on_delete=models.SET_NULL, related_name="payment_attempts"
    )
    # What the shopper's browser confirmed with: one attempt per token and basket.
    confirmation_token = models.CharField(max_length=255)
    idempotency_key = models.CharField(max_length=64, unique=True)
    order_number = models.CharField(max_length=128, db_index=True)
    amount = models.PositiveBigIntegerField(help_text=_("In the currency's minor unit."))
    currency = models.CharField(max_length=3)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.STARTED)
    message = models.CharField(max_length=500, blank=True, help_text=_("Stripe's reason, if any."))
    order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The checkout's session data (address, shipping method, guest e-mail) as it was when the card
    # was confirmed: an order the browser never came back for is placed with it.
    checkout = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["basket", "confirmation_token"], name="payments_one_attempt_per_token"
            )
        ]

    def __str__(self):
        return f"Payment attempt {self.idempotency_key} for order {self.order_number}"

    def is_for_total(self, total: Decimal, currency: str) -> bool:
        """Whether the attempt pays this total: not once the basket has changed since it began."""
        return self.amount == minor_units(total, currency)


class WebhookEvent(models.Model):
    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received"]

    def __str__(self):
        return f"{self.type} {self.event_id}"

    @classmethod
    def first_delivery(cls, event_id: str, type: str, payment_intent_id: str) -> bool:
        """Store the event; False when it was stored already (or is being stored by a
        transaction still open: this one then waits for it). One INSERT that skips a taken id
        (`ON CONFLICT DO NOTHING`, PostgreSQL and SQLite), where catching the unique key's error
        needs a savepoint around it: two more round trips for every event."""
        connection = connections[router.db_for_write(cls)]
        quote = connection.ops.quote_name
        columns = ", ".join(
            quote(cls._meta.get_field(name).column)
            for name in ("event_id", "type", "payment_intent_id", "received")
        )
        received = cls._meta.get_field("received").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(cls._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s) "
                f"ON CONFLICT ({quote(cls._meta.get_field('event_id').column)}) DO NOTHING "
                f"RETURNING {quote(cls._meta.pk.column)}",
                [event_id, type, payment_intent_id, received],
            )
            return cursor.fetchone() is not None


class Refund(models.Model):
    refund_id = models.CharField(max_length=255, unique=True)
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=255, blank=True)
    # Empty when the refund was made outside the shop (Stripe's dashboard).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One submission of the dashboard's refund form (empty for refunds reported by Stripe).
    request_key = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Refund {self.refund_id} of {self.amount} {self.currency}"
