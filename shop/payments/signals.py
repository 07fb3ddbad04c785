"""Signals of the payments app, for the layers above it (which payments never imports)."""

from django.dispatch import Signal

# An authorised PaymentIntent of ours with no order: sent by the webhook and by reconciliation with
# `intent` (the Stripe object). A receiver returns True when it takes the payment over (completes the
# order or releases the hold itself); with no taker, reconciliation cancels the hold.
held_without_order = Signal()
