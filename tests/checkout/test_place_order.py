"""Paying by card and placing the order: the happy path, 3-D Secure, declines, exactly once."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, open_basket_id, place_order, review_form, to_payment_step
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Cheeky Pink-Haired Anime Girl Enamel Pin", price="12.50", stock=5)


def created_intents(sim) -> int:
    return sum(
        1
        for method, path, _key in sim.requests
        if (method, path) == ("POST", "/v1/payment_intents")
    )


def captures(sim) -> int:
    return sum(
        1 for method, path, _key in sim.requests if method == "POST" and path.endswith("/capture")
    )


def test_guest_pays_and_lands_on_the_thank_you_page(
    client, pin, stripe_sim, sim_client, django_capture_on_commit_callbacks
):
    page = to_payment_step(client, pin, quantity=2)
    assert b"Test payments" in page.content
    # 2 x 12.50 + 4.50 standard shipping, computed on the server in cents
    assert page.context["payment"]["amount"] == 2950

    with django_capture_on_commit_callbacks(execute=True):
        response = place_order(client, card(sim_client))

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("29.50")
    assert order.guest_email == "fan@example.com"
    assert order.status == "Paid"
    thanks = client.get(response["Location"])
    assert order.number in thanks.content.decode()

    intent = stripe_sim.payment_intents[order.sources.get().reference]
    assert intent["status"] == "succeeded"
    assert intent["amount_received"] == 2950
    assert intent["capture_method"] == "manual"
    assert intent["metadata"]["order_number"] == order.number
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.CAPTURED
    assert attempt.order == order
    source = order.sources.get()
    assert source.amount_allocated == source.amount_debited == Decimal("29.50")
    assert list(order.payment_events.order_by("id").values_list("event_type__name", flat=True)) == [
        "Authorised",
        "Captured",
    ]
    stock = StockRecord.objects.get(product=pin)
    assert (stock.num_in_stock, stock.num_allocated) == (5, 2)
    assert Basket.objects.get(pk=attempt.basket_id).status == Basket.SUBMITTED
    assert mail.outbox == []  # queued for the task worker
    assert run_queued_tasks() == 2  # it writes the confirmation, then sends it
    (message,) = mail.outbox
    assert message.to == ["fan@example.com"]
    assert message.subject == f"Your Pin Senpai order #{order.number} is confirmed"
    status_path = reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    assert f"http://testserver{status_path}" in message.body  # the host the shopper used
    assert list(order.communication_events.values_list("event_type__code", flat=True)) == [
        "ORDER_PLACED"
    ]


def test_the_browser_cannot_set_the_price(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    client.post(
        reverse("checkout:preview"),
        {
            **review_form(client),
            "action": "place_order",
            "confirmation_token": card(sim_client),
            "amount": "1",
            "order_total": "0.01",
        },
    )
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("17.00")
    intent = stripe_sim.payment_intents[order.sources.get().reference]
    assert intent["amount"] == 1700


@pytest.mark.parametrize(
    ("payment_method", "message"),
    [
        ("pm_card_chargeDeclined", "Your card was declined."),
        ("pm_card_chargeDeclinedInsufficientFunds", "Your card has insufficient funds."),
        ("pm_card_chargeDeclinedExpiredCard", "Your card has expired."),
    ],
)
def test_a_decline_shows_stripes_message_and_keeps_the_basket(
    client, pin, stripe_sim, sim_client, payment_method, message
):
    to_payment_step(client, pin)
    response = place_order(client, card(sim_client, payment_method))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.DECLINED
    assert StockRecord.objects.get(product=pin).num_allocated in (0, None)
    # the basket is still there, still open: paying again with a good card works
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1
    retry = place_order(client, card(sim_client))
    assert retry.status_code == 302
    assert Order.objects.count() == 1


def test_3d_secure_passed_finishes_the_order(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    response = place_order(client, card(sim_client, "pm_card_authenticationRequired"))

    assert response.status_code == 302
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    assert response["Location"].endswith(f"/3ds/{intent_id}")
    assert not Order.objects.exists()

    back = stripe_sim.authenticate(intent_id, succeed=True)
    path = back.split("://", 1)[1].split("/", 1)[1]
    finished = client.get("/" + path)
    assert finished.status_code == 302
    assert finished["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert stripe_sim.payment_intents[intent_id]["status"] == "succeeded"
    assert order.total_incl_tax == Decimal("17.00")
    # coming back to the return URL again (reload, back button) lands on the same order
    again = client.get("/" + path)
    assert again["Location"] == reverse("checkout:thank-you")
    assert Order.objects.count() == 1
    assert captures(stripe_sim) == 1


def test_3d_secure_failed_leaves_the_basket_to_pay_again(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    intent_id = PaymentAttempt.objects.get().payment_intent_id

    back = stripe_sim.authenticate(intent_id, succeed=False)
    response = client.get("/" + back.split("://", 1)[1].split("/", 1)[1])

    assert response.status_code == 200
    assert "unable to authenticate" in response.content.decode()
    assert not Order.objects.exists()
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1


def test_a_basket_changed_during_3d_secure_is_not_charged(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    client.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 1})

    back = stripe_sim.authenticate(intent_id, succeed=True)
    response = client.get("/" + back.split("://", 1)[1].split("/", 1)[1])

    assert "basket changed" in response.content.decode()
    assert not Order.objects.exists()
    assert stripe_sim.payment_intents[intent_id]["status"] == "canceled"


def test_a_card_confirmed_for_an_older_basket_total_is_not_charged(
    client, pin, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    token = card(sim_client, "pm_card_chargeDeclined")
    place_order(client, token)
    client.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 1})

    response = place_order(client, token)  # the same confirmation, posted again

    assert response.status_code == 200
    assert "basket changed" in response.content.decode()
    assert created_intents(stripe_sim) == 1  # only the first, declined, try
    assert not Order.objects.exists()
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 2


def test_someone_elses_return_url_does_nothing(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    stripe_sim.authenticate(intent_id, succeed=True)

    from django.test import Client

    stranger = Client()
    response = stranger.get(reverse("checkout:payment-return") + f"?payment_intent={intent_id}")
    assert response.status_code == 302
    assert not Order.objects.exists()


def test_resubmitting_place_order_lands_on_the_same_order(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    basket_id = open_basket_id(client)
    token = card(sim_client)

    first = place_order(client, token, basket_id)
    second = place_order(client, token, basket_id)
    third = place_order(client, card(sim_client), basket_id)

    assert (
        first["Location"]
        == second["Location"]
        == third["Location"]
        == reverse("checkout:thank-you")
    )
    assert Order.objects.count() == 1
    assert created_intents(stripe_sim) == 1
    assert captures(stripe_sim) == 1
    assert Basket.objects.get(pk=basket_id).status == Basket.SUBMITTED


def test_signed_in_shopper_sees_the_order_in_their_account(
    client, pin, stripe_sim, sim_client, django_user_model
):
    user = django_user_model.objects.create_user("otaku", "otaku@example.com", "pw-12345-long")
    client.force_login(user)
    to_payment_step(client, pin, email=None)
    place_order(client, card(sim_client))

    order = Order.objects.get()
    assert order.user == user
    account = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert account.status_code == 200
    assert pin.title in account.content.decode()


def test_a_missing_card_token_asks_for_the_card(client, pin, stripe_sim):
    to_payment_step(client, pin)
    response = place_order(client, "")
    assert "Enter your card details" in response.content.decode()
    assert not PaymentAttempt.objects.exists()
