"""An offline Stripe: the part of Stripe's API this shop uses, with Stripe's semantics.

Tests, browser tests and the local demo pay through it instead of the network. It speaks Stripe's
wire format, so the official SDK runs unchanged on top of it:

    simulator = Simulator()
    client = stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": "http://simulator.invalid"},
        http_client=InProcessHTTPClient(simulator),
    )

or over loopback with `serve(simulator)` (`manage.py stripe_simulator`), which also serves the
3-D Secure page and CORS for `static/payments/stripe-standin.js`, the local Stripe.js stand-in.
Test cards and test PaymentMethods (`pm_card_visa`, ...) behave as in Stripe's docs; events are
signed and POSTed to webhook URLs like Stripe's; `fail_next` injects network faults.

The test keys come from shop/payments/client.py: the running shop never imports this package.
core.py composes the account from its parts (routing, store, cards, payment intents, ...).
"""

from shop.devtools.stripe_simulator.cards import TEST_CARDS, TEST_PAYMENT_METHODS
from shop.devtools.stripe_simulator.core import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    Simulator,
)
from shop.devtools.stripe_simulator.errors import SimulatorError
from shop.devtools.stripe_simulator.http import (
    InProcessHTTPClient,
    SimulatorServer,
    make_wsgi_app,
    serve,
)
from shop.devtools.stripe_simulator.routing import RecordedRequest
from shop.devtools.stripe_simulator.webhooks import WebhookDelivery

__all__ = [
    "PUBLISHABLE_KEY",
    "SECRET_KEY",
    "TEST_CARDS",
    "TEST_PAYMENT_METHODS",
    "WEBHOOK_SECRET",
    "InProcessHTTPClient",
    "RecordedRequest",
    "Simulator",
    "SimulatorError",
    "SimulatorServer",
    "WebhookDelivery",
    "make_wsgi_app",
    "serve",
]
