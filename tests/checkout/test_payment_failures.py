"""When things go wrong around a payment, the shopper is told calmly and loses nothing."""

import logging
import smtplib
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Moonlit Ronin Pin", price="15.00", stock=3)


def basket_items(client) -> int:
    return client.get(reverse("basket:summary")).context["basket"].num_items


@pytest.mark.parametrize("kind", ["connection", "timeout", "server_error"])
def test_stripe_unreachable_places_nothing_and_says_when_any_hold_goes(
    client, pin, stripe_sim, sim_client, caplog, kind
):
    to_payment_step(client, pin)
    token = card(sim_client)
    stripe_sim.fail_next(3, kind=kind)  # the first try and both of the SDK's retries

    with caplog.at_level(logging.ERROR, logger="shop.payments"):
        response = place_order(client, token)

    assert response.status_code == 200
    # Stripe's answer was lost: a hold may exist (a timeout ran the request), so no "not charged".
    assert "payment service did not answer" in response.content.decode()
    assert "released automatically within 25 minutes" in response.content.decode()
    assert "not been charged" not in response.content.decode()
    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=pin).num_allocated in (0, None)
    assert basket_items(client) == 1
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.FAILED
    assert f"basket {attempt.basket_id}" in caplog.text
    assert attempt.order_number in caplog.text


def test_one_network_blip_is_retried_with_the_same_idempotency_key(
    client, pin, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    token = card(sim_client)
    stripe_sim.fail_next(1, kind="connection")

    response = place_order(client, token)

    assert response["Location"] == reverse("checkout:thank-you")
    creates = [key for method, path, key in stripe_sim.requests if path == "/v1/payment_intents"]
    assert len(creates) == 2
    assert creates[0] == creates[1] == PaymentAttempt.objects.get().idempotency_key


def test_sold_out_after_authorisation_cancels_it_and_keeps_the_basket(
    client, pin, stripe_sim, sim_client, monkeypatch
):
    to_payment_step(client, pin, quantity=2)
    real_authorise = services.authorise

    def authorise_then_a_rival_buys(attempt, **kwargs):
        outcome = real_authorise(attempt, **kwargs)
        StockRecord.objects.filter(product=pin).update(num_allocated=2)  # 1 left, we want 2
        return outcome

    monkeypatch.setattr(services, "authorise", authorise_then_a_rival_buys)
    response = place_order(client, card(sim_client))

    assert response.status_code == 200
    assert "sold out while you were paying" in response.content.decode()
    assert "You have not been charged" in response.content.decode()
    assert not Order.objects.exists()
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.CANCELLED
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert StockRecord.objects.get(product=pin).num_allocated == 2  # only the rival's
    assert basket_items(client) == 2


def test_sold_out_during_3d_secure_cancels_it_and_keeps_the_basket(
    client, pin, stripe_sim, sim_client, monkeypatch
):
    to_payment_step(client, pin, quantity=2)
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    attempt = PaymentAttempt.objects.get()
    real_resume = services.resume

    def resume_then_a_rival_buys(attempt, expected_total, **kwargs):
        outcome = real_resume(attempt, expected_total, **kwargs)
        StockRecord.objects.filter(product=pin).update(num_allocated=2)  # 1 left, we want 2
        return outcome

    monkeypatch.setattr(services, "resume", resume_then_a_rival_buys)
    back = stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    response = client.get("/" + back.split("://", 1)[1].split("/", 1)[1])

    assert response.status_code == 200
    assert "sold out while you were paying" in response.content.decode()
    assert "You have not been charged" in response.content.decode()
    assert not Order.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CANCELLED
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert StockRecord.objects.get(product=pin).num_allocated == 2  # only the rival's
    assert basket_items(client) == 2


def test_an_error_while_placing_the_order_releases_the_money(
    client, pin, stripe_sim, sim_client, monkeypatch, caplog
):
    to_payment_step(client, pin)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("oscar.apps.order.utils.OrderCreator.create_order_model", broken)
    response = place_order(client, card(sim_client))

    assert "You have not been charged" in response.content.decode()
    attempt = PaymentAttempt.objects.get()
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=pin).num_allocated in (0, None)
    assert "placing the order failed" in caplog.text


def test_a_failed_capture_keeps_the_order_for_reconcile(
    client, pin, stripe_sim, sim_client, monkeypatch
):
    to_payment_step(client, pin)
    real_capture = services.capture

    def stripe_down_then_capture(attempt):
        stripe_sim.fail_next(3, kind="connection")
        return real_capture(attempt)

    monkeypatch.setattr(services, "capture", stripe_down_then_capture)
    response = place_order(client, card(sim_client))

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.PLACED
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "requires_capture"
    assert order.sources.get().amount_debited == Decimal("0.00")
    assert order.status == "Pending payment"


def test_mail_server_down_still_completes_the_order_and_retries_later(
    client, pin, stripe_sim, sim_client, monkeypatch, caplog
):
    to_payment_step(client, pin)

    def smtp_down(self, messages):
        raise smtplib.SMTPConnectError(421, "mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", smtp_down)
    response = place_order(client, card(sim_client))

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.status == "Paid"
    assert client.get(response["Location"]).status_code == 200
    assert run_queued_tasks() == 2  # the worker writes it and tries to send it
    assert f"E-mail 'Your Pin Senpai order #{order.number} is confirmed': try 1 failed" in (
        caplog.text
    )
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][1] == 2
    assert retry.run_after > timezone.now()

    monkeypatch.undo()  # the mail server is back
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject


def test_payments_off_in_production_refuses_clearly(client, pin, settings):
    settings.STRIPE_MODE = "off"
    page = to_payment_step(client, pin)
    assert "take card payments" in page.content.decode()
    assert b"payment-element" not in page.content

    response = place_order(
        client, "ctoken_anything", basket_id=page.context["payment"].get("basket_id", 0)
    )
    assert "take card payments" in response.content.decode()
    assert not PaymentAttempt.objects.exists()
    assert not Order.objects.exists()


def test_real_keys_load_stripes_payment_element(client, pin, settings):
    settings.STRIPE_MODE = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"
    page = to_payment_step(client, pin).content.decode()
    assert "https://js.stripe.com/v3/" in page
    assert "stripe-standin.js" not in page
    assert "Test payments" not in page
    assert 'data-publishable-key="pk_test_123"' in page


def test_simulator_mode_uses_the_local_stand_in(client, pin, stripe_sim):
    page = to_payment_step(client, pin).content.decode()
    assert "stripe-standin.js" in page
    assert "js.stripe.com" not in page
    assert "Test payments — no card is charged." in page
