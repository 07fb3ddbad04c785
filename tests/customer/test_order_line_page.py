"""An order line's URL in the account: no page of its own, so it leads to the order, never a 500."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory, create_order

from tests.factories import merch

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    merch("Cheeky Pink-Haired Anime Girl Enamel Pin")
    return create_order(user=UserFactory())


def line_url(order, line_id):
    return reverse("customer:order-line", kwargs={"order_number": order.number, "line_id": line_id})


def test_a_line_of_the_shoppers_order_leads_to_the_order(client, order):
    client.force_login(order.user)

    response = client.get(line_url(order, order.lines.get().pk))

    assert response.status_code == 302
    assert response["Location"] == reverse("customer:order", kwargs={"order_number": order.number})


def test_an_unknown_line_is_404(client, order):
    client.force_login(order.user)

    assert client.get(line_url(order, 999999)).status_code == 404
    assert client.post(line_url(order, 999999), {"action": "reorder"}).status_code == 404


def test_another_shoppers_line_is_404(client, order):
    client.force_login(UserFactory())

    assert client.get(line_url(order, order.lines.get().pk)).status_code == 404


def test_reordering_a_line_puts_it_in_the_basket(client, order):
    client.force_login(order.user)

    response = client.post(line_url(order, order.lines.get().pk), {"action": "reorder"})

    assert response["Location"] == reverse("basket:summary")
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1
