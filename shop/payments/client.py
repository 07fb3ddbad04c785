"""The one place a `StripeClient` is built. Nothing sets the SDK's module globals.

Three modes (settings.STRIPE_MODE): "stripe" with real keys; "simulator" (DEBUG with no keys): the
project's own simulator over loopback, at STRIPE_SIMULATOR_URL; "off" (production with no keys):
checkout refuses to take payment.
"""

from dataclasses import dataclass
from functools import cache

import stripe
from django.conf import settings

from shop.payments import simulator


@dataclass(frozen=True)
class StripeKeys:
    secret: str
    publishable: str
    webhook_secret: str
    api_base: str  # empty: Stripe's own


def keys() -> StripeKeys | None:
    """The keys for the current mode, or None when payments are off."""
    if settings.STRIPE_MODE == "stripe":
        return StripeKeys(
            settings.STRIPE_SECRET_KEY,
            settings.STRIPE_PUBLISHABLE_KEY,
            settings.STRIPE_WEBHOOK_SECRET,
            "",
        )
    if settings.STRIPE_MODE == "simulator":
        return StripeKeys(
            simulator.SECRET_KEY,
            simulator.PUBLISHABLE_KEY,
            simulator.WEBHOOK_SECRET,
            settings.STRIPE_SIMULATOR_URL,
        )
    return None


def http_client() -> stripe.HTTPClient:
    """The SDK's HTTP client with our timeout. Tests swap this for the in-process simulator."""
    return stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)


def stripe_client() -> stripe.StripeClient:
    """The client for the current mode; raises PaymentsOff when checkout must not take payment."""
    current = keys()
    if current is None:
        raise PaymentsOff
    return _client(current, http_client, settings.STRIPE_MAX_NETWORK_RETRIES)


@cache
def _client(current: StripeKeys, make_http_client, retries: int) -> stripe.StripeClient:
    # One per configuration and process: the HTTP client keeps its connections to Stripe open.
    return stripe.StripeClient(
        current.secret,
        base_addresses={"api": current.api_base} if current.api_base else None,
        http_client=make_http_client(),
        max_network_retries=retries,
    )


class PaymentsOff(Exception):
    """No Stripe keys in production: the shop cannot take card payments."""
