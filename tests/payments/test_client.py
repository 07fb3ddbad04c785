"""The StripeClient factory: one client per configuration, and a slow Stripe never keeps a shopper
waiting longer than one timeout."""

import time

import pytest
from django.test import Client

from shop.devtools import stripe_simulator as simulator
from shop.devtools.stripe_simulator import Simulator, serve
from shop.payments.client import PaymentsOff, keys, stripe_client
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
