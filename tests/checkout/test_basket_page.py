"""The basket page: changing a quantity, the way Oscar's script posts it, updates the basket."""

import pytest
from django.urls import reverse

from tests.factories import merch
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("xhr", [False, True], ids=["form", "script"])
def test_changing_a_quantity_updates_the_basket_and_the_header_count(client, xhr):
    pin = merch("Quantity Pin", price="10.00", stock=9)
    add_to_basket(client, pin)
    page = client.get(reverse("basket:summary"))
    line = page.context["formset"].forms[0].instance
    extra = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}

    response = client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "form-0-id": line.pk,
            "form-0-quantity": 3,
        },
        **extra,
    )

    assert response.status_code in (200, 302)
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert basket.num_items == 3
    assert b'aria-label="3 items"' in client.get(reverse("catalogue:index")).content


def test_the_quantity_field_has_a_label(client):
    add_to_basket(client, merch("Labelled Pin", price="10.00", stock=9))
    page = client.get(reverse("basket:summary")).content.decode()
    assert 'aria-label="Quantity"' in page
