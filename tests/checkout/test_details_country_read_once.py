"""The details page reads the shipping countries once per post: the chosen country is found in
that list and model validation does not ask for it again (shop.checkout.forms). A country the
shop does not ship to, or no country at all, is still refused with Oscar's message."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import ADDRESS, add_to_basket, shipping_country

Country = get_model("address", "Country")

pytestmark = pytest.mark.django_db

DETAILS = {**ADDRESS, "email": "fan@example.com", "method_code": "standard"}


def country(code: str, name: str, *, ships: bool) -> None:
    Country.objects.create(
        iso_3166_1_a2=code,
        iso_3166_1_a3=f"{code}X",
        iso_3166_1_numeric="",
        printable_name=name,
        name=name,
        is_shipping_country=ships,
    )


@pytest.fixture
def basket(client):
    shipping_country()
    # Two countries to ship to: the page offers the choice (with one, Oscar fills it in).
    country("JP", "Japan", ships=True)
    country("FR", "France", ships=False)
    add_to_basket(client, merch(price="20.00"))
    client.get(reverse("checkout:shipping-address"))  # warm: sessions, caches
    return client


def test_the_chosen_country_is_read_with_the_list_of_countries(basket):
    with CaptureQueriesContext(connection) as queries:
        response = basket.post(reverse("checkout:shipping-address"), DETAILS)

    assert response.status_code == 302
    assert basket.session["checkout_data"]["shipping"]["new_address_fields"]["country_id"] == "US"
    country_reads = [q["sql"] for q in queries if '"address_country"' in q["sql"]]
    assert len(country_reads) == 1, country_reads


@pytest.mark.parametrize("country", ["FR", "XX", ""])
def test_a_country_the_shop_does_not_ship_to_is_refused(basket, country):
    response = basket.post(reverse("checkout:shipping-address"), {**DETAILS, "country": country})

    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not basket.session.get("checkout_data", {}).get("shipping")
