"""The basket's line inputs are written out directly (shop/basket/templatetags/line_forms.py), yet
are the very markup Django's widgets make, and a refused quantity comes back in its box."""

import pytest
from django.urls import reverse

from tests.factories import merch
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


def test_the_inputs_are_the_markup_djangos_widgets_make(client):
    add_to_basket(client, merch("Moon Pin", price="10.00", stock=9))
    add_to_basket(client, merch("Naruto Pin", price="10.00", stock=2))

    response = client.get(reverse("basket:summary"))

    page = response.content.decode()
    formset = response.context["formset"]
    assert str(formset.management_form).replace("\n", "") in page
    for form in formset:
        assert str(form["id"]) in page
        assert str(form["quantity"]) in page  # with its max, min and aria-label


def test_a_refused_quantity_is_shown_back_with_its_error(client):
    add_to_basket(client, merch("Naruto Pin", price="10.00", stock=2))
    line = client.get(reverse("basket:summary")).context["formset"].forms[0].instance

    response = client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "form-0-id": line.pk,
            "form-0-quantity": 7,
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="form-0-quantity" value="7"' in page
    assert 'class="basket-line__error" role="alert"' in page
