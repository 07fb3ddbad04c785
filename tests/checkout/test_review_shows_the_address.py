"""The review page shows the shipping address the shopper gave, its country by name, read afresh on
every view (by SQL compiled once per process, shop.checkout.views.with_country)."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import ADDRESS, to_payment_step

Country = get_model("address", "Country")

pytestmark = pytest.mark.django_db


def address_block(response) -> str:
    page = response.content.decode()
    start = page.index('<address class="checkout-address">')
    return page[start : page.index("</address>", start)]


def test_the_review_page_shows_the_address_with_its_country_by_name(client):
    response = to_payment_step(client, merch("Moon Pin", price="10.00"))

    shown = address_block(response)
    assert ADDRESS["line1"] in shown
    assert Country.objects.get(pk=ADDRESS["country"]).printable_name in shown


def test_a_country_renamed_shows_its_new_name_on_the_next_view(client):
    to_payment_step(client, merch("Moon Pin", price="10.00"))
    Country.objects.filter(pk=ADDRESS["country"]).update(printable_name="Freedonia")

    shown = address_block(client.get(reverse("checkout:preview")))

    assert "Freedonia" in shown
