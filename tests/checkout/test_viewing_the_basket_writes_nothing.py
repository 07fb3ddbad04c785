"""Looking at the basket writes nothing: no empty basket for a visitor or a signed-in shopper
who has none, and no session for a first-time visitor."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import add_to_basket

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def test_a_new_visitor_viewing_the_basket_leaves_no_basket_and_no_session(client):
    response = client.get(reverse("basket:summary"))

    assert response.status_code == 200
    assert "Your basket is empty." in response.content.decode()
    assert not Basket.objects.exists()
    assert not Session.objects.exists()


def test_a_signed_in_shopper_viewing_the_basket_and_checkout_leaves_no_basket(
    client, django_user_model
):
    client.force_login(django_user_model.objects.create_user("new-fan", "new@x.io", "x"))

    assert client.get(reverse("basket:summary")).status_code == 200
    client.get(reverse("checkout:index"))
    client.get(reverse("catalogue:index"))

    assert not Basket.objects.exists()


def test_the_first_add_still_makes_the_signed_in_shoppers_basket(client, django_user_model):
    user = django_user_model.objects.create_user("adder", "adder@x.io", "x")
    client.force_login(user)
    client.get(reverse("basket:summary"))

    add_to_basket(client, merch("First Pin", price="10.00", stock=3))

    basket = Basket.objects.get(owner=user, status=Basket.OPEN)
    assert [line.product.title for line in basket.all_lines()] == ["First Pin"]
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1
