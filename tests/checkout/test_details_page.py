"""The one page before payment: a guest gives the e-mail, the address and the delivery method on
the address page and goes on to pay with one post (shop.checkout.forms.ShippingDetailsForm)."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import ADDRESS, add_to_basket, card, shipping_country
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

DETAILS = {**ADDRESS, "email": "Fan@Example.COM", "method_code": "express"}


@pytest.fixture
def basket(client):
    shipping_country()
    add_to_basket(client, merch(price="20.00"))
    return client


def details_page(client):
    response = client.get(reverse("checkout:shipping-address"))
    assert response.status_code == 200
    return response.content.decode()


def checked_method(page: str) -> list[str]:
    return re.findall(r'name="method_code" value="(\w+)"[^>]*?checked', page, flags=re.S)


def test_the_basket_sends_a_guest_straight_to_the_details_page(basket):
    page = basket.get(reverse("basket:summary")).content.decode()

    assert f'href="{reverse("checkout:shipping-address")}"' in page
    assert f'href="{reverse("checkout:index")}" class="btn' not in page


def test_a_guest_is_asked_the_email_the_address_and_the_delivery_with_standard_chosen(basket):
    page = details_page(basket)

    assert 'name="email"' in page
    assert 'autocomplete="email"' in page
    assert 'name="line1"' in page
    assert checked_method(page) == ["standard"]
    assert page.count('name="method_code"') == 2
    assert "$4.50" in page and "$12.00" in page  # each method's charge for this basket
    assert f'href="{reverse("checkout:index")}">Sign in or create one</a>' in page
    assert "Continue to payment" in page


def test_one_post_takes_the_guest_to_payment_with_all_three_kept(basket):
    response = basket.post(reverse("checkout:shipping-address"), DETAILS)

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:preview")
    data = basket.session["checkout_data"]
    assert data["guest"]["email"] == "Fan@example.com"  # Oscar's normalising: the domain
    assert data["shipping"]["method_code"] == "express"
    assert data["shipping"]["new_address_fields"]["line1"] == ADDRESS["line1"]
    review = basket.get(reverse("checkout:preview")).content.decode()
    assert "Express shipping" in review
    assert "$32.00" in review  # 20.00 + express 12.00


def place_order(client, sim_client):
    review = client.get(reverse("checkout:preview"))
    return client.post(
        reverse("checkout:preview"),
        {
            "action": "place_order",
            "basket_id": review.context["payment"]["basket_id"],
            "fingerprint": review.context["payment"]["fingerprint"],
            "confirmation_token": card(sim_client),
        },
    )


def test_the_order_placed_from_the_one_page_is_mailed_to_the_guest_with_their_method(
    basket, sim_client
):
    basket.post(reverse("checkout:shipping-address"), DETAILS)

    response = place_order(basket, sim_client)
    run_queued_tasks()

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.guest_email == "Fan@example.com"
    assert order.shipping_code == "express"
    assert order.total_incl_tax == 32
    assert [message.to for message in mail.outbox] == [["Fan@example.com"]]


def test_a_guest_without_an_email_is_told_and_nothing_is_kept(basket):
    response = basket.post(reverse("checkout:shipping-address"), {**DETAILS, "email": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["This field is required."]
    page = response.content.decode()
    assert "Please check the fields marked below." in page
    assert 'value="1 Cherry Blossom Lane"' in page  # what was typed is kept on the page
    assert checked_method(page) == ["express"]
    assert not basket.session.get("checkout_data", {}).get("shipping")
    assert basket.get(reverse("checkout:preview"))["Location"] == reverse("checkout:index")


@pytest.mark.parametrize("email", ["not-an-email", "fan@", "<script>@x.com"])
def test_a_bad_email_is_refused_with_a_message(basket, email):
    response = basket.post(reverse("checkout:shipping-address"), {**DETAILS, "email": email})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]


def test_a_method_the_shop_does_not_offer_is_refused(basket):
    response = basket.post(
        reverse("checkout:shipping-address"), {**DETAILS, "method_code": "teleport"}
    )

    assert response.status_code == 200
    assert "method_code" in response.context["form"].errors
    assert "Select a valid choice." in response.content.decode()
    assert not basket.session.get("checkout_data", {}).get("shipping")


def test_a_post_without_a_method_goes_on_to_the_method_page(basket):
    response = basket.post(
        reverse("checkout:shipping-address"), {**ADDRESS, "email": "fan@example.com"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:shipping-method")


def test_an_email_given_at_the_gateway_is_filled_in_and_kept_when_not_sent_again(basket):
    basket.post(reverse("checkout:index"), {"username": "gate@example.com", "options": "anonymous"})

    page = details_page(basket)
    assert 'value="gate@example.com"' in page

    response = basket.post(
        reverse("checkout:shipping-address"), {**ADDRESS, "method_code": "standard"}
    )
    assert response["Location"] == reverse("checkout:preview")
    assert basket.session["checkout_data"]["guest"]["email"] == "gate@example.com"


def test_coming_back_shows_the_method_chosen_before(basket):
    basket.post(reverse("checkout:shipping-address"), DETAILS)

    page = details_page(basket)

    assert checked_method(page) == ["express"]
    assert 'value="Fan@example.com"' in page


def test_a_signed_in_customer_is_not_asked_an_email(client, django_user_model):
    user = django_user_model.objects.create_user(
        "customer", email="customer@example.com", password="a long passphrase"
    )
    client.force_login(user)
    shipping_country()
    add_to_basket(client, merch(price="20.00"))

    page = details_page(client)
    response = client.post(
        reverse("checkout:shipping-address"),
        {key: value for key, value in DETAILS.items() if key != "email"},
    )

    assert 'name="email"' not in page
    assert "Sign in or create one" not in page
    assert checked_method(page) == ["standard"]
    assert response["Location"] == reverse("checkout:preview")
    assert client.get(reverse("checkout:preview")).status_code == 200
