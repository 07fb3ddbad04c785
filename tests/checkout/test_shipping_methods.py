"""Shipping: standard (free from a basket total) and express, as the basket and the checkout offer them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_class, get_model
from oscar.test.factories import CountryFactory, create_offer

from shop.shipping.repository import Repository
from tests.factories import merch

Basket = get_model("basket", "Basket")
Applicator = get_class("offer.applicator", "Applicator")

pytestmark = pytest.mark.django_db

STANDARD_NAME = "Standard shipping (3–5 working days)"
EXPRESS_NAME = "Express shipping (1–2 working days)"
GUEST_EMAIL = "guest@example.com"
ADDRESS = {
    "first_name": "Sakura",
    "last_name": "Haruno",
    "line1": "12 Cherry Lane",
    "line4": "Portland",
    "state": "OR",
    "postcode": "97201",
    "phone_number": "",
    "notes": "",
}


def basket_worth(price: str, *, quantity: int = 1):
    """A basket holding `quantity` of one pin at `price`, priced as the shop prices it."""
    basket = Basket.objects.create()
    basket.strategy = Default()
    basket.add_product(merch(price=price, stock=quantity + 5), quantity=quantity)
    return basket


def offered(basket):
    return Repository().get_shipping_methods(basket=basket, user=None, shipping_addr=None)


def charges(basket):
    return {method.code: method.calculate(basket) for method in offered(basket)}


def method(basket, code):
    return next(m for m in offered(basket) if m.code == code)


# --- The methods ---------------------------------------------------------------------------------


def test_standard_and_express_are_offered_with_standard_first_as_the_default():
    basket = basket_worth("20.00")

    assert [m.code for m in offered(basket)] == ["standard", "express"]
    assert [str(m.name) for m in offered(basket)] == [STANDARD_NAME, EXPRESS_NAME]
    assert Repository().get_default_shipping_method(basket=basket).code == "standard"


def test_standard_is_charged_below_the_threshold_and_says_how_much_more_is_free():
    basket = basket_worth("37.50")

    assert charges(basket)["standard"].incl_tax == Decimal("4.50")
    assert method(basket, "standard").description == ("Add $12.50 more for free standard shipping.")


def test_standard_is_free_from_exactly_the_threshold():
    basket = basket_worth("25.00", quantity=2)

    assert basket.total_incl_tax == Decimal("50.00")
    assert charges(basket)["standard"].incl_tax == Decimal("0.00")
    assert method(basket, "standard").description == (
        "Free standard shipping on orders of $50.00 or more."
    )


def test_standard_is_free_above_the_threshold():
    basket = basket_worth("80.00")

    assert charges(basket)["standard"].incl_tax == Decimal("0.00")


def test_express_is_charged_whatever_the_basket_total():
    for price in ("5.00", "50.00", "400.00"):
        assert charges(basket_worth(price))["express"].incl_tax == Decimal("12.00")


def test_charges_are_tax_free_with_the_tax_known_as_the_checkout_requires():
    basket = basket_worth("20.00")

    for charge in charges(basket).values():
        assert charge.is_tax_known
        assert charge.tax == Decimal("0.00")
        assert charge.excl_tax == charge.incl_tax
        assert charge.currency == "USD"


def test_the_threshold_is_measured_after_offers():
    create_offer()  # 20% off everything
    basket = basket_worth("55.00")
    Applicator().apply(basket)

    assert basket.total_incl_tax == Decimal("44.00")
    assert charges(basket)["standard"].incl_tax == Decimal("4.50")
    assert method(basket, "standard").description == "Add $6.00 more for free standard shipping."


def test_rates_and_threshold_are_read_from_settings(settings):
    settings.SHOP_SHIPPING_STANDARD = Decimal("3.25")
    settings.SHOP_SHIPPING_EXPRESS = Decimal("15.00")
    settings.SHOP_FREE_SHIPPING_OVER = Decimal("100.00")
    basket = basket_worth("60.00")

    assert charges(basket)["standard"].incl_tax == Decimal("3.25")
    assert charges(basket)["express"].incl_tax == Decimal("15.00")
    assert method(basket, "standard").description == "Add $40.00 more for free standard shipping."

    settings.SHOP_FREE_SHIPPING_OVER = Decimal("60.00")
    assert charges(basket)["standard"].incl_tax == Decimal("0.00")


# --- In the basket and the checkout ---------------------------------------------------------------


@pytest.fixture
def us_only(db):
    """One shipping country, so Oscar's address form leaves the country out."""
    return CountryFactory(
        iso_3166_1_a2="US",
        printable_name="United States",
        name="United States",
        is_shipping_country=True,
    )


def add_to_basket(client, product, quantity=1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302


def check_out_as_guest_to_shipping_method(client):
    """The guest steps of Oscar's checkout: the gateway, then a new shipping address."""
    response = client.post(
        reverse("checkout:index"), {"username": GUEST_EMAIL, "options": "anonymous"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:shipping-address")

    response = client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("checkout:shipping-method")


def test_shipping_method_page_lists_both_methods_with_their_prices(client, us_only):
    add_to_basket(client, merch(price="20.00"))
    check_out_as_guest_to_shipping_method(client)

    response = client.get(reverse("checkout:shipping-method"))

    assert response.status_code == 200
    page = response.content.decode()
    assert [m.code for m in response.context["methods"]] == ["standard", "express"]
    standard, express = page.index("Standard shipping"), page.index("Express shipping")
    assert standard < express
    assert "$4.50" in page[standard:express]
    assert "Add $30.00 more for free standard shipping." in page[standard:express]
    assert "$12.00" in page[express:]
    assert page.count('name="method_code"') == 2


def test_checkout_steps_read_address_shipping_payment_done_with_shipping_current(client, us_only):
    add_to_basket(client, merch(price="20.00"))
    check_out_as_guest_to_shipping_method(client)

    page = client.get(reverse("checkout:shipping-method")).content.decode()

    steps = page.split('class="checkout-steps"')[1].split("</nav>")[0]
    labels = re.findall(r'aria-hidden="true">\d</span> (\w+)', steps)
    assert labels == ["Address", "Shipping", "Payment", "Done"]
    current = re.findall(r'aria-current="step">\s*<span[^>]*>\d</span> (\w+)', steps)
    assert current == ["Shipping"]
    assert f'href="{reverse("checkout:shipping-address")}"' in steps


def test_shipping_method_page_shows_standard_free_over_the_threshold(client, us_only):
    add_to_basket(client, merch(price="60.00"))
    check_out_as_guest_to_shipping_method(client)

    page = client.get(reverse("checkout:shipping-method")).content.decode()

    standard, express = page.index("Standard shipping"), page.index("Express shipping")
    assert "Free" in page[standard:express]
    assert "$4.50" not in page
    assert "$12.00" in page[express:]


def test_choosing_express_moves_the_guest_on_to_payment(client, us_only):
    add_to_basket(client, merch(price="20.00"))
    check_out_as_guest_to_shipping_method(client)

    response = client.post(reverse("checkout:shipping-method"), {"method_code": "express"})

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:preview")
    assert client.session["checkout_data"]["shipping"]["method_code"] == "express"


def test_basket_page_estimates_standard_shipping(client):
    add_to_basket(client, merch(price="20.00"))

    response = client.get(reverse("basket:summary"))

    assert response.context["shipping_method"].code == "standard"
    assert response.context["shipping_charge"].incl_tax == Decimal("4.50")
    assert response.context["order_total"].incl_tax == Decimal("24.50")
    page = response.content.decode()
    assert STANDARD_NAME in page
    assert "$24.50" in page
    assert "Add $30.00 more for free standard shipping." in page
