"""Stripe's PaymentIntent as the shop reads it: its statuses and the metadata we put on it.

These are Stripe's wire values (https://docs.stripe.com/payments/paymentintents/lifecycle), not
our own record of a payment, which is `PaymentAttempt.Status`.
"""

from enum import StrEnum


class IntentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"  # no card yet, or the card was declined
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"  # the shopper is sent to 3-D Secure
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"  # authorised: the money is held
    CANCELED = "canceled"  # Stripe's spelling
    SUCCEEDED = "succeeded"  # captured


# The cancellation_reason we give Stripe for an authorisation that will not become an order.
ABANDONED = "abandoned"


def metadata(intent) -> dict:
    """The metadata on a PaymentIntent, as a plain dict (empty when the intent has none)."""
    return intent.metadata.to_dict() if intent.metadata else {}
