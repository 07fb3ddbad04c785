"""The shopper pays what the review page showed: anything changed since, and no card is touched.

The review page signs what it showed (lines, prices, vouchers, shipping, total) into its form.
"Place order" with a review page that no longer matches the basket comes back to the review page
naming the change, with no PaymentIntent made; confirming again pays the new amount. The return
from 3-D Secure places the order only for the basket that was authorised.
"""

import copy
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_voucher

from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import add_to_basket, card, place_order, review_form, to_payment_step

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Magical Girl Wand Pin", price="14.50", stock=5)


def tab(client) -> Client:
    """Another tab of the same browser: the same session and basket cookies."""
    other = Client()
    other.cookies = copy.deepcopy(client.cookies)
    return other


def created_intents(sim) -> int:
    return sum(
        1
        for method, path, _key in sim.requests
        if (method, path) == ("POST", "/v1/payment_intents")
    )


def basket_quantities(client) -> dict[str, int]:
    basket = client.get(reverse("basket:summary")).context["basket"]
    return {line.product.title: line.quantity for line in basket.all_lines()}


def return_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_price_raised_after_review_is_not_charged_until_confirmed(
    client, pin, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    shown = review_form(client)  # $14.50 + $4.50 shipping
    StockRecord.objects.filter(product=pin).update(price=Decimal("40.00"))  # staff raise it

    response = place_order(client, card(sim_client), **shown)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The price of Magical Girl Wand Pin changed from $14.50 to $40.00." in page
    assert "The total changed from $19.00 to $44.50." in page
    assert created_intents(stripe_sim) == 0
    assert not PaymentAttempt.objects.exists()
    assert not Order.objects.exists()
    assert response.context["payment"]["amount"] == 4450  # the page now shows the new price

    confirmed = place_order(client, card(sim_client))  # confirming the page as it is now

    assert confirmed["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("44.50")
    assert stripe_sim.payment_intents[order.sources.get().reference]["amount"] == 4450


def test_a_line_added_in_another_tab_before_place_order_is_kept_and_confirmed_first(
    client, pin, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    shown = review_form(client)
    add_to_basket(tab(client), pin)  # the basket now holds 2

    response = place_order(client, card(sim_client), **shown)

    assert response.status_code == 200
    assert "Your basket changed in another tab" in response.content.decode()
    assert created_intents(stripe_sim) == 0
    assert basket_quantities(client) == {"Magical Girl Wand Pin": 2}

    place_order(client, card(sim_client))
    order = Order.objects.get()
    assert order.num_items == 2
    assert order.total_incl_tax == Decimal("33.50")


def test_a_line_swapped_for_the_same_total_in_another_tab_is_confirmed_first(
    client, pin, stripe_sim, sim_client
):
    twin = merch("Magical Girl Compact Pin", price="14.50", stock=5)
    to_payment_step(client, pin)
    shown = review_form(client)
    basket = Basket.objects.get(pk=shown["basket_id"])
    basket.lines.all().delete()
    add_to_basket(tab(client), twin)  # same total, not what the shopper reviewed

    response = place_order(client, card(sim_client), **shown)

    assert response.status_code == 200
    assert "Your basket changed in another tab" in response.content.decode()
    assert created_intents(stripe_sim) == 0


def test_a_shipping_method_changed_in_another_tab_is_confirmed_first(
    client, pin, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    shown = review_form(client)
    tab(client).post(reverse("checkout:shipping-method"), {"method_code": "express"})

    response = place_order(client, card(sim_client), **shown)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Shipping changed from Standard shipping" in page
    assert "to Express shipping" in page
    assert created_intents(stripe_sim) == 0


@pytest.mark.parametrize("fingerprint", ["", "not-signed-by-us", "x" * 5000])
def test_place_order_without_a_review_we_signed_touches_no_card(
    client, pin, stripe_sim, sim_client, fingerprint
):
    to_payment_step(client, pin)
    shown = review_form(client)

    response = place_order(
        client, card(sim_client), basket_id=shown["basket_id"], fingerprint=fingerprint
    )

    assert response.status_code == 200
    assert "confirm it again" in response.content.decode()
    assert created_intents(stripe_sim) == 0


def test_a_review_of_another_basket_is_not_accepted(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    other = Client()
    to_payment_step(other, pin)
    theirs = review_form(other)

    response = place_order(client, card(sim_client), **theirs)

    assert response.status_code == 200
    assert created_intents(stripe_sim) == 0


# --- vouchers --------------------------------------------------------------------------------


@pytest.fixture
def single_use_voucher(db):
    return create_voucher(code="ABC", usage=Voucher.SINGLE_USE)


def use_elsewhere(voucher) -> None:
    voucher.record_usage(create_order(), user=AnonymousUser())


def test_a_voucher_used_up_elsewhere_is_removed_with_a_message_and_no_card_is_touched(
    client, pin, single_use_voucher, stripe_sim, sim_client
):
    to_payment_step(client, pin)
    client.post(reverse("basket:vouchers-add"), {"code": "ABC"})
    shown = review_form(client)
    assert client.get(reverse("checkout:preview")).context["order_total"].incl_tax == Decimal(
        "16.10"
    )  # 20 % off the pin, then $4.50 shipping
    use_elsewhere(single_use_voucher)

    response = place_order(client, card(sim_client), **shown)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Voucher ABC can no longer be used: This voucher has already been used" in page
    assert "The total changed from $16.10 to $19.00." in page
    assert created_intents(stripe_sim) == 0
    assert not Basket.objects.get(pk=shown["basket_id"]).vouchers.exists()

    confirmed = place_order(client, card(sim_client))
    assert confirmed["Location"] == reverse("checkout:thank-you")
    assert Order.objects.get(basket_id=shown["basket_id"]).total_incl_tax == Decimal("19.00")


def test_the_review_page_says_when_it_drops_a_used_up_voucher(
    client, pin, single_use_voucher, stripe_sim
):
    to_payment_step(client, pin)
    client.post(reverse("basket:vouchers-add"), {"code": "ABC"})
    use_elsewhere(single_use_voucher)

    page = client.get(reverse("checkout:preview"))

    assert "Voucher ABC can no longer be used" in page.content.decode()
    assert page.context["order_total"].incl_tax == Decimal("19.00")
    assert not page.context["basket"].vouchers.exists()


# --- 3-D Secure --------------------------------------------------------------------------------


def test_a_basket_swapped_for_the_same_total_during_3d_secure_is_not_charged(
    client, pin, stripe_sim, sim_client
):
    twin = merch("Magical Girl Compact Pin", price="14.50", stock=5)
    to_payment_step(client, pin)
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    attempt = PaymentAttempt.objects.get()
    Basket.objects.get(pk=attempt.basket_id).lines.all().delete()
    add_to_basket(tab(client), twin)  # the same $14.50, but not what was authorised

    back = stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    response = client.get(return_path(back))

    assert response.status_code == 200
    assert "basket changed" in response.content.decode()
    assert not Order.objects.exists()
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert basket_quantities(client) == {"Magical Girl Compact Pin": 1}


def test_a_line_added_during_3d_secure_is_kept_and_not_charged(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin)
    place_order(client, card(sim_client, "pm_card_authenticationRequired"))
    attempt = PaymentAttempt.objects.get()
    add_to_basket(tab(client), pin)

    back = stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    response = client.get(return_path(back))

    assert "basket changed" in response.content.decode()
    assert not Order.objects.exists()
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert basket_quantities(client) == {"Magical Girl Wand Pin": 2}
    place_order(client, card(sim_client))
    assert Order.objects.get().num_items == 2


# --- a line added while the order is being placed ---------------------------------------------


def test_a_line_added_while_the_order_is_placed_is_not_lost_silently(
    client, pin, stripe_sim, sim_client, monkeypatch
):
    """The other tab loaded the basket while it was open; "Place order" finished before the tab
    wrote its line (on PostgreSQL the tab waits on the basket lock for exactly this)."""
    from shop.basket import views as basket_views

    to_payment_step(client, pin)
    other = tab(client)
    real = basket_views.BasketAddView.form_valid
    placed = []

    def order_placed_first(self, form):
        placed.append(place_order(client, card(sim_client)))
        return real(self, form)

    monkeypatch.setattr(basket_views.BasketAddView, "form_valid", order_placed_first)
    added = other.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 1}, follow=True)

    assert placed[0]["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.num_items == 1
    assert Basket.objects.get(pk=order.basket_id).num_items == 1  # nothing the order never saw
    assert "was not added: your basket was ordered in another tab" in added.content.decode()
