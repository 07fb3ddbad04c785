"""In a drop most of the crowd is turned away at "Add to basket": the product sold out. Oscar keeps
a refused add's POST in the session, so that the product page shows the form again with the
shopper's quantity and the error; a sold-out product's page has no form, so nothing is kept, and
a shopper turned away leaves no session row behind. A refusal the shopper can correct (more than
is left) still keeps what they asked for."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.factories import merch

pytestmark = pytest.mark.django_db


def post_add(client, product, quantity: int):
    return client.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"quantity": quantity},
        headers={"referer": product.get_absolute_url()},
    )


def test_a_sold_out_add_is_refused_with_a_message_and_writes_no_session():
    pin = merch("Drop Pin", stock=0)
    shopper = Client()

    response = post_add(shopper, pin, 1)

    assert response.status_code == 302
    assert response["Location"] == pin.get_absolute_url()
    page = shopper.get(response["Location"])
    assert "Drop Pin" in page.content.decode() and "sold out" in page.content.decode().lower()
    messages = [str(message) for message in page.context["messages"]]
    assert messages and all("available" in m or "stock" in m for m in messages), messages
    assert Session.objects.count() == 0
    assert "sessionid" not in shopper.cookies


def test_asking_for_more_than_is_left_keeps_the_quantity_for_the_form():
    pin = merch("Last Three Pin", stock=3)
    shopper = Client()

    response = post_add(shopper, pin, 5)

    assert response.status_code == 302
    (session,) = Session.objects.all()
    kept = session.get_decoded()[f"add_to_basket_form_post_data_{pin.pk}"]
    assert json.loads(kept)["quantity"] == "5"
