"""A sale changes only what it shows: cached listings and product pages stay (their stock words
are filled per request: tests/caching/test_stock_words_filled.py), and the last unit leaves "in
stock only" at once."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order.utils import allocate
from tests.commits import commits
from tests.factories import FranchiseFactory, merch

from .conftest import get, is_hit

StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]

IN_STOCK_ONLY = reverse("catalogue:index") + "?in_stock=1"


def sell(product, units: int = 1) -> None:
    """As a checkout does: one conditional UPDATE and Oscar's signals (shop.order.utils)."""
    allocate(StockRecord.objects.get(product=product), units)


def warm(client, *urls):
    for url in urls:
        get(client, url)
        assert is_hit(get(client, url)[0]), url


def test_a_sale_that_leaves_the_product_in_stock_keeps_every_cached_page(client):
    sold = merch("Popular Pin", stock=20)
    other = merch("Quiet Pin", stock=20)
    pages = [
        reverse("home"),
        reverse("catalogue:index"),
        IN_STOCK_ONLY,
        reverse("search:search") + "?q=pin",
        other.get_absolute_url(),
        sold.get_absolute_url(),
        reverse("blog:index"),
    ]
    warm(client, *pages)

    sell(sold)

    for url in pages:
        response, queries = get(client, url)
        assert is_hit(response), url
        assert queries <= 1, url  # the session at most: no page was rendered again


@commits
def test_low_stock_words_change_without_rendering_any_page_again(client):
    sold = merch("Nearly Gone Pin", stock=6, franchise=FranchiseFactory(name="Drop Series"))
    # Of another series: its page does not show the sold product among related ones.
    other = merch("Quiet Pin", stock=20, franchise=FranchiseFactory(name="Calm Series"))
    warm(client, sold.get_absolute_url(), other.get_absolute_url(), reverse("catalogue:index"))

    sell(sold)  # 5 left: "Only 5 left"

    page, _ = get(client, sold.get_absolute_url())
    assert is_hit(page) and b"Only 5 left" in page.content
    assert is_hit(get(client, other.get_absolute_url())[0])
    listing, _ = get(client, reverse("catalogue:index"))  # shows the sold product's tile
    assert is_hit(listing) and b"Only 5 left" in listing.content


@commits
def test_the_last_units_sale_removes_it_from_in_stock_only_on_the_next_request(client):
    last = merch("Last One Pin", stock=1, franchise=FranchiseFactory(name="Drop Series"))
    other = merch("Plenty Pin", stock=20, franchise=FranchiseFactory(name="Calm Series"))
    warm(client, IN_STOCK_ONLY, other.get_absolute_url())
    assert b"Last One Pin" in get(client, IN_STOCK_ONLY)[0].content

    sell(last)

    listing, _ = get(client, IN_STOCK_ONLY)
    assert not is_hit(listing)
    assert b"Last One Pin" not in listing.content and b"Plenty Pin" in listing.content
    assert b"Sold out" in get(client, last.get_absolute_url())[0].content
    assert is_hit(get(client, other.get_absolute_url())[0])
