"""Drive a checkout through the test client, the way a shopper's browser does.

The card is turned into a ConfirmationToken by the simulator (as Stripe.js would); only its id is
posted with "Place order", exactly like the payment page's script.
"""

from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt

Country = get_model("address", "Country")
Basket = get_model("basket", "Basket")

ADDRESS = {
    "first_name": "Sakura",
    "last_name": "Haruno",
    "line1": "1 Cherry Blossom Lane",
    "line4": "Portland",
    "state": "OR",
    "postcode": "97201",
    "country": "US",
    "phone_number": "",
}


def shipping_country():
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="US",
        defaults={
            "iso_3166_1_a3": "USA",
            "iso_3166_1_numeric": "840",
            "printable_name": "United States",
            "name": "United States",
            "is_shipping_country": True,
        },
    )
    return country


def add_to_basket(client, product, quantity: int = 1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302, response.content[:500]
    return response


def to_payment_step(
    client, product=None, *, quantity=1, email="fan@example.com", method="standard"
):
    """Basket → guest e-mail → address → shipping method; returns the payment page response."""
    shipping_country()
    if product is not None:
        add_to_basket(client, product, quantity)
    if email:
        response = client.post(
            reverse("checkout:index"), {"username": email, "options": "anonymous"}
        )
        assert response.status_code == 302, response.content[:2000]
    response = client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert response.status_code == 302, response.content[:2000]
    response = client.post(reverse("checkout:shipping-method"), {"method_code": method})
    assert response.status_code == 302, response.content[:2000]
    response = client.get(reverse("checkout:preview"))
    assert response.status_code == 200, response
    return response


def card(sim_client, payment_method: str = "pm_card_visa") -> str:
    """A ConfirmationToken id for one of Stripe's test PaymentMethods."""
    return sim_client.v1.test_helpers.confirmation_tokens.create(
        {"payment_method": payment_method}
    ).id


def held_without_order(
    sim_client, order_number: str = "100777", payment_method: str = "pm_card_visa"
):
    """An authorisation (or, with a 3-D Secure card, one waiting for it) whose checkout died
    before the order was written: what reconciliation is for."""
    return sim_client.v1.payment_intents.create(
        {
            "amount": 1700,
            "currency": "usd",
            "capture_method": "manual",
            "confirm": True,
            "confirmation_token": card(sim_client, payment_method),
            "return_url": "https://shop.example/checkout/payment/return/",
            "metadata": {"order_number": order_number, "basket_id": "9", "attempt": "x"},
        }
    )


def place_order(client, token: str, basket_id: int | None = None, *, fingerprint=None):
    """Click "Place order" on the review page as it is now (or on the one given by `fingerprint`,
    a review page read earlier, as a tab left open would)."""
    if fingerprint is None:
        form = review_form(client)
        fingerprint = form["fingerprint"]
        basket_id = basket_id if basket_id is not None else form["basket_id"]
    return client.post(
        reverse("checkout:preview"),
        {
            "action": "place_order",
            "confirmation_token": token,
            "basket_id": basket_id,
            "fingerprint": fingerprint,
        },
    )


def review_form(client) -> dict:
    """The hidden fields of the review page's payment form (empty once the basket is ordered)."""
    response = client.get(reverse("checkout:preview"))
    payment = response.context["payment"] if response.status_code == 200 else {}
    return {"basket_id": payment.get("basket_id"), "fingerprint": payment.get("fingerprint", "")}


def open_basket_id(client) -> int:
    return review_form(client)["basket_id"]


def placed_uncaptured(sim_client, monkeypatch, product):
    """A guest's order for `product`, placed, whose capture call never came back (Stripe holds the
    money, or took it without our knowing): its payment attempt, "placed". Capturing stays off
    until the test puts `services.capture` back."""
    monkeypatch.setattr(services, "capture", lambda attempt: False)
    shopper = Client()
    to_payment_step(shopper, product)
    place_order(shopper, card(sim_client))
    attempt = PaymentAttempt.objects.order_by("pk").last()
    assert attempt.status == PaymentAttempt.Status.PLACED
    return attempt
