"""The StripeClient factory: one client per configuration, and a slow Stripe never keeps a shopper
waiting longer than one timeout."""

import socket
import time

import pytest
import stripe
from django.test import Client

from shop.devtools import stripe_simulator as simulator
from shop.devtools.stripe_simulator import Simulator, serve
from shop.payments import client as payments_client
from shop.payments.client import BoundedRequestsClient, PaymentsOff, keys, stripe_client
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step


def test_simulator_mode_uses_the_simulators_keys_and_address(settings):
    settings.STRIPE_MODE = "simulator"
    current = keys()
    assert current.secret == simulator.SECRET_KEY
    assert current.api_base == settings.STRIPE_SIMULATOR_URL
    assert stripe_client() is stripe_client()  # one client, reused


def test_real_keys_talk_to_stripe_itself(settings):
    settings.STRIPE_MODE = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_live_example"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_example"
    current = keys()
    assert (current.secret, current.api_base) == ("sk_live_example", "")
    assert current.webhook_secret == "whsec_example"


def test_production_without_keys_takes_no_payment(settings):
    settings.STRIPE_MODE = "off"
    assert keys() is None
    with pytest.raises(PaymentsOff):
        stripe_client()


@pytest.fixture
def slow_stripe(settings):
    """The simulator over loopback, answering after 30 seconds."""
    sim = Simulator()
    with serve(sim) as server:
        settings.STRIPE_MODE = "simulator"
        settings.STRIPE_SIMULATOR_URL = server.url
        settings.STRIPE_TIMEOUT_SECONDS = 2
        yield sim
    sim.close()


@pytest.mark.django_db
def test_a_slow_stripe_answers_the_shopper_within_one_timeout(slow_stripe):
    shopper = Client()
    to_payment_step(shopper, merch("Slow Lane Pin", price="10.00", stock=2))
    token = card(stripe_client())
    slow_stripe.fail_next(5, kind="timeout", delay=30)

    started = time.monotonic()
    response = place_order(shopper, token)
    waited = time.monotonic() - started

    assert "payment service did not answer" in response.content.decode()
    assert waited < 3.5  # the 2-second budget, retries included, plus the page itself
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.FAILED


# --- The environment's proxies ----------------------------------------------------------------


@pytest.fixture
def loopback_stripe(monkeypatch):
    """The simulator over loopback; no proxy in the environment, none remembered."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    payments_client._environment_proxies.cache_clear()
    sim = Simulator()
    with serve(sim) as server:
        yield stripe.StripeClient(
            simulator.SECRET_KEY,
            base_addresses={"api": server.url},
            http_client=BoundedRequestsClient(5),
            max_network_retries=0,
        )
    sim.close()
    payments_client._environment_proxies.cache_clear()


@pytest.fixture
def dead_proxy():
    """A loopback address where nothing listens: a call sent through it is refused."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_proxy_set_in_the_environment_carries_the_calls_unless_no_proxy_names_the_host(
    loopback_stripe, dead_proxy, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)
    with pytest.raises(stripe.APIConnectionError):
        loopback_stripe.v1.payment_intents.create({"amount": 500, "currency": "usd"})

    payments_client._environment_proxies.cache_clear()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    made = loopback_stripe.v1.payment_intents.create({"amount": 500, "currency": "usd"})
    assert made.amount == 500


def test_the_environment_is_read_once_not_on_every_call(loopback_stripe, dead_proxy, monkeypatch):
    first = loopback_stripe.v1.payment_intents.create({"amount": 700, "currency": "usd"})
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)  # requests would send the next call there

    again = loopback_stripe.v1.payment_intents.retrieve(first.id)

    assert again.amount == 700
