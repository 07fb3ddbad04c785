"""The one place a `StripeClient` is built. Nothing sets the SDK's module globals.

Three modes (settings.STRIPE_MODE): "stripe" with real keys; "simulator" (DEBUG with no keys): the
project's own simulator over loopback, at STRIPE_SIMULATOR_URL; "off" (production with no keys):
checkout refuses to take payment. The simulator's keys are defined here and the simulator
(shop/devtools/stripe_simulator) takes them from here: the running shop never imports it.
"""

import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import requests
import stripe
from django.conf import settings

# The test-mode keys of the project's Stripe simulator, which accepts them and signs with them.
SIMULATOR_SECRET_KEY = "sk_test_simulator"
SIMULATOR_PUBLISHABLE_KEY = "pk_test_simulator"
SIMULATOR_WEBHOOK_SECRET = "whsec_simulator"


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
            SIMULATOR_SECRET_KEY,
            SIMULATOR_PUBLISHABLE_KEY,
            SIMULATOR_WEBHOOK_SECRET,
            settings.STRIPE_SIMULATOR_URL,
        )
    return None


def http_client() -> stripe.HTTPClient:
    """The SDK's HTTP client with our time budget. Tests swap this for the in-process simulator."""
    return BoundedRequestsClient(settings.STRIPE_TIMEOUT_SECONDS)


class BoundedRequestsClient(stripe.RequestsClient):
    """The SDK's requests client, whose network retries all fit in one time budget.

    The SDK gives each try the full timeout, so a slow Stripe with two retries would keep a shopper
    waiting three timeouts. Here a call and its retries share one deadline: each try waits only for
    what is left, and no retry starts in the last second.

    The environment's proxy settings (HTTPS_PROXY, NO_PROXY...) are read once per process and
    Stripe host (`environment_proxies`), not on every call: `requests` scans all of os.environ
    and looks for a .netrc on each request: a quarter of the SDK's samples on each call in a
    profile of orders placed at ten a second (py-spy --gil, 2 sync workers).
    """

    def __init__(self, budget: float):
        super().__init__(timeout=budget)  # stored by the setter below

    @property
    def _timeout(self) -> float:
        deadline = getattr(self._thread_local, "deadline", None)
        if deadline is None:
            return self._budget
        return max(0.1, deadline - time.monotonic())

    @_timeout.setter
    def _timeout(self, budget: float) -> None:
        self._budget = budget

    def request_with_retries(self, *args, **kwargs):
        self._thread_local.deadline = time.monotonic() + self._budget
        try:
            return super().request_with_retries(*args, **kwargs)
        finally:
            self._thread_local.deadline = None

    def _request_internal(self, method, url, headers, post_data, is_streaming):
        session = getattr(self._thread_local, "session", None)
        if session is None:  # one per thread, as the SDK keeps them
            session = self._thread_local.session = requests.Session()
            session.trust_env = False
        session.proxies = environment_proxies(url)
        return super()._request_internal(method, url, headers, post_data, is_streaming)

    def _should_retry(self, response, api_connection_error, num_retries, max_network_retries):
        deadline = getattr(self._thread_local, "deadline", None)
        if deadline is not None and deadline - time.monotonic() < 1:
            return False
        return super()._should_retry(
            response, api_connection_error, num_retries, max_network_retries
        )


def environment_proxies(url: str) -> dict[str, str]:
    """The proxies the environment sets for `url`'s host, none if NO_PROXY names it: read on the
    first call to each host, as `requests` would read them on every call."""
    parts = urlsplit(url)
    return _environment_proxies(f"{parts.scheme}://{parts.netloc}")


@cache
def _environment_proxies(origin: str) -> dict[str, str]:
    return requests.utils.get_environ_proxies(origin)


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
