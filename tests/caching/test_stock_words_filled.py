"""Stock words on cached pages are filled on every response: a sale that moves "Only 3 left" to
"Only 2 left" keeps the cached listing and product page and shows the new words; the last unit
shows "Sold out", flips the product page's basket form to the stock alert and leaves "in stock
only" on the next request (catalogue.stock_slots)."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order.utils import allocate
from tests.commits import commits
from tests.factories import FranchiseFactory, merch

from .conftest import get, is_hit

StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]

CATALOGUE = reverse("catalogue:index")
IN_STOCK_ONLY = CATALOGUE + "?in_stock=1"


def sell(product, units: int = 1) -> None:
    allocate(StockRecord.objects.get(product=product), units)


@pytest.fixture
def scarce():
    return merch("Scarce Pin", stock=3, franchise=FranchiseFactory(name="Drop Series"))


@commits
def test_a_low_stock_sale_shows_new_words_on_the_cached_listing_without_rendering_it(
    client, scarce
):
    get(client, CATALOGUE)
    assert b"Only 3 left" in get(client, CATALOGUE)[0].content

    sell(scarce)

    listing, queries = get(client, CATALOGUE)
    assert is_hit(listing)
    assert b"Only 2 left" in listing.content and b"Only 3 left" not in listing.content
    assert queries <= 1  # the product's stock read again: no listing, tile or facet query
    again, queries = get(client, CATALOGUE)
    assert is_hit(again) and b"Only 2 left" in again.content
    assert queries == 0  # the new words are kept for every page that shows them


@commits
def test_a_cached_page_looks_the_same_as_a_freshly_rendered_one(client, settings, scarce):
    merch("Plenty Pin", stock=20)
    get(client, CATALOGUE)
    sell(scarce)
    from_cache = get(client, CATALOGUE)[0]
    assert is_hit(from_cache)

    settings.SHOP_PAGE_CACHE = False
    rendered = get(client, CATALOGUE)[0]

    assert _without_tokens(from_cache.content) == _without_tokens(rendered.content)


@commits
def test_the_last_unit_shows_sold_out_and_leaves_in_stock_only(client, scarce):
    for url in (CATALOGUE, IN_STOCK_ONLY):
        get(client, url)

    sell(scarce, 3)

    listing, _ = get(client, CATALOGUE)  # rendered again: its "in stock" facet count changed
    tile = _tile(listing.content, b"Scarce Pin")
    assert b"Sold out" in tile and b"Add to basket" not in tile
    in_stock_only, _ = get(client, IN_STOCK_ONLY)
    assert b"Scarce Pin" not in in_stock_only.content


@commits
def test_the_product_pages_basket_form_turns_into_a_stock_alert_on_sell_out(client, scarce):
    url = scarce.get_absolute_url()
    get(client, url)
    page = get(client, url)[0]
    assert is_hit(page) and b'id="add_to_basket_form"' in page.content
    assert b"https://schema.org/InStock" in page.content

    sell(scarce, 2)
    page = get(client, url)[0]
    assert is_hit(page) and b"Only 1 left" in page.content

    sell(scarce)
    page = get(client, url)[0]
    assert b"Sold out" in page.content
    assert b'id="add_to_basket_form"' not in page.content
    assert b"Notify me" in page.content and b'id="alert_form"' in page.content
    assert b"https://schema.org/OutOfStock" in page.content


@commits
def test_stock_put_back_shows_on_the_cached_page(client, scarce):
    get(client, CATALOGUE)
    sell(scarce, 3)
    assert b"Sold out" in _tile(get(client, CATALOGUE)[0].content, b"Scarce Pin")

    record = StockRecord.objects.get(product=scarce)
    record.num_in_stock = 5
    record.save()

    tile = _tile(get(client, CATALOGUE)[0].content, b"Scarce Pin")
    assert b"Only 2 left" in tile and b"Add to basket" in tile


def _tile(content: bytes, title: bytes) -> bytes:
    start = content.index(title)
    return content[start : content.index(b"</article>", start)]


def _without_tokens(content: bytes) -> bytes:
    import re

    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)
