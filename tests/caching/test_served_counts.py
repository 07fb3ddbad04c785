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


def counts() -> dict[str, int]:
    from django.core.cache import cache

    return {outcome: cache.get(count_key(outcome), 0) for outcome in COUNTED}


@commits
def test_renders_hits_and_stock_reads_are_counted(client, settings):
    settings.SHOP_PAGE_CACHE_COUNTS = True
    pin = merch("Scarce Pin", stock=3)
    url = reverse("catalogue:index")

    get(client, url)
    get(client, url)
    allocate(StockRecord.objects.get(product=pin), 1)
    get(client, url)

    assert counts() == {"hit": 2, "built": 1, "waited": 0, "stale": 0, "stock-read": 1}


def test_nothing_is_counted_unless_asked(client):
    get(client, reverse("catalogue:index"))
    assert set(counts().values()) == {0}
