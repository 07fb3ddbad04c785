"""Options still reach the basket line when "Add to basket" no longer reads them for a product
that has none: whether a product has options comes with the product, from its class or its own."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch

Basket = get_model("basket", "Basket")
Option = get_model("catalogue", "Option")

pytestmark = pytest.mark.django_db


def engraving(required: bool = True):
    return Option.objects.create(name="Engraving", code="engraving", type="text", required=required)


def add(client, product, data=None):
    return client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, **(data or {})}
    )


@pytest.mark.parametrize("on", ["class", "product"])
def test_an_option_given_is_kept_on_the_line(client, on):
    pin = merch("Engraved Heart Pin", price="12.00", stock=5)
    option = engraving()
    if on == "class":
        pin.product_class.options.add(option)
    else:
        pin.product_options.add(option)

    response = add(client, pin, {"engraving": "Senpai"})

    assert response.status_code == 302
    (line,) = Basket.objects.get().lines.all()
    assert [(a.option.code, a.value) for a in line.attributes.all()] == [("engraving", "Senpai")]


def test_a_required_option_left_out_is_refused_with_nothing_added(client):
    pin = merch("Engraved Star Pin", price="12.00", stock=5)
    pin.product_options.add(engraving(required=True))

    response = add(client, pin)

    assert response.status_code == 302
    assert not Basket.objects.filter(lines__isnull=False).exists()
    page = client.get(response["Location"])
    assert "This field is required." in page.content.decode()


def test_a_product_without_options_gets_a_line_without_attributes(client):
    pin = merch("Plain Moon Pin", price="9.00", stock=5)
    engraving()  # an option exists in the shop, on another product's class or none

    assert add(client, pin).status_code == 302
    (line,) = Basket.objects.get().lines.all()
    assert not line.attributes.exists()
