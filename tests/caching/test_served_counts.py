"""With the benchmark's counting on, the page cache counts how it served each page: a render, a
fresh hit, a hit whose stock words were read again after a sale (shop.pagecache.middleware)."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order.utils import allocate
from shop.pagecache.middleware import COUNTED, count_key
from tests.commits import commits
from tests.factories import merch

from .conftest import get

StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


def counts(url: str) -> dict[str, int]:
    from django.core.cache import cache

    return {outcome: cache.get(count_key(outcome, url), 0) for outcome in COUNTED}


@commits
def test_renders_hits_and_stock_reads_are_counted(client, settings):
    settings.SHOP_PAGE_CACHE_COUNTS = True
    pin = merch("Scarce Pin", stock=3)
    url = reverse("catalogue:index")

    get(client, url)
    get(client, url)
    allocate(StockRecord.objects.get(product=pin), 1)
    get(client, url)

    assert counts(url) == {"hit": 2, "built": 1, "waited": 0, "stale": 0, "stock-read": 1}


@commits
def test_each_page_counts_its_own_renders_not_another_pages(client, settings):
    """A drop's order placer opens product pages while the benchmark loads the catalogue: the
    catalogue's figures are its own."""
    settings.SHOP_PAGE_CACHE_COUNTS = True
    pin = merch("Scarce Pin", stock=3)
    listing, product = reverse("catalogue:index"), pin.get_absolute_url()

    get(client, listing)
    get(client, product)
    get(client, product)

    assert counts(listing) == {"hit": 0, "built": 1, "waited": 0, "stale": 0, "stock-read": 0}
    assert counts(product) == {"hit": 1, "built": 1, "waited": 0, "stale": 0, "stock-read": 0}


def test_nothing_is_counted_unless_asked(client):
    url = reverse("catalogue:index")
    get(client, url)
    assert set(counts(url).values()) == {0}
