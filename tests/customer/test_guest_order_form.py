"""Before a guest sees their order, the shop asks for the e-mail address it was placed with: on a
page named for the order, with one labelled field; a wrong address shows no order and says so."""

import pytest
from django.urls import reverse
from oscar.test.factories import create_order

from tests.factories import merch

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    merch("Guest Pin", price="10.00", stock=50)
    return create_order(guest_email="guest@example.com")


def form_url(order) -> str:
    keys = {"order_number": order.number, "hash": order.verification_hash()}
    return reverse("customer:anon-order-form", kwargs=keys)


def test_the_page_is_named_for_the_order_and_asks_for_the_e_mail_address(client, order):
    page = client.get(form_url(order)).content.decode()

    assert f"<h1>Order {order.number}</h1>" in page
    assert "Which e-mail address did you order with?" in page
    assert '<label for="id_email"' in page
    assert "Show my order" in page


def test_a_wrong_e_mail_address_keeps_the_page_shows_no_order_and_says_so(client, order):
    response = client.post(form_url(order), {"email": "someone@example.com"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>Order {order.number}</h1>" in page and "Order not found" in page
    assert 'class="order-timeline"' not in page
