"""One word for out-of-stock everywhere: listings, search, the product page and the basket say
"Sold out" (catalogue.buying.stock_state), never Oscar's "Unavailable"."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import add_to_basket

StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def tile_of(page: str, title: str) -> str:
    return page.split(title, 1)[1].split("</article>", 1)[0]


@pytest.mark.parametrize("url", ["/catalogue/", "/search/?q=Moonlit"])
def test_listings_and_search_say_sold_out_like_the_product_page(client, url):
    gone = merch("Moonlit Sold Pin", price="10.00", stock=0)
    merch("Moonlit Stocked Pin", price="10.00", stock=40)

    page = client.get(url).content.decode()

    assert "Unavailable" not in page
    assert "Sold out" in tile_of(page, "Moonlit Sold Pin")
    assert "In stock" in tile_of(page, "Moonlit Stocked Pin")
    assert "Sold out" in client.get(gone.get_absolute_url()).content.decode()


def test_a_tile_counts_down_the_last_few_like_the_product_page(client):
    merch("Moonlit Last Pin", price="10.00", stock=2)

    page = client.get("/catalogue/").content.decode()

    assert "Only 2 left" in tile_of(page, "Moonlit Last Pin")


def test_the_basket_says_sold_out_when_the_last_unit_went_meanwhile(client):
    pin = merch("Moonlit Basket Pin", price="10.00", stock=1)
    add_to_basket(client, pin)
    StockRecord.objects.filter(product=pin).update(num_in_stock=0)

    page = client.get(reverse("basket:summary")).content.decode()

    assert "Sold out" in page
    assert "Unavailable" not in page
