"""A price edit shows on the very next request wherever the product is shown: its page, the
listings, search results, its franchise."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.stock import save_stock_edit
from tests.commits import commits
from tests.factories import FranchiseFactory, merch

from .conftest import get, is_hit

StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@pytest.fixture
def glow_pin(db):
    return merch("Glow Pin", price="12.00", franchise=FranchiseFactory(name="Glow Series"))


@pytest.mark.parametrize("page", ["detail", "catalogue", "search", "cheapest first", "franchise"])
@commits
def test_a_price_change_shows_on_the_next_request(client, glow_pin, page):
    url = {
        "detail": glow_pin.get_absolute_url(),
        "catalogue": reverse("catalogue:index"),
        "search": reverse("search:search") + "?q=glow",
        "cheapest first": reverse("catalogue:index") + "?sort_by=price-asc",
        "franchise": glow_pin.franchise.get_absolute_url(),
    }[page]
    unrelated = merch("Calm Pin", franchise=FranchiseFactory(name="Calm Series"))
    for warmed in (url, unrelated.get_absolute_url()):
        get(client, warmed)
    assert is_hit(get(client, url)[0]) and b"$12.00" in get(client, url)[0].content

    record = StockRecord.objects.get(product=glow_pin)
    record.price = Decimal("9.50")
    save_stock_edit(record, changed={"price"})  # as the dashboard saves it

    response, _ = get(client, url)
    assert b"$9.50" in response.content and b"$12.00" not in response.content
    assert is_hit(get(client, unrelated.get_absolute_url())[0])  # nothing else was dropped


def test_another_products_price_change_keeps_this_page(client, glow_pin):
    other = merch("Other Pin", price="5.00")
    get(client, glow_pin.get_absolute_url())

    record = StockRecord.objects.get(product=other)
    record.price = Decimal("6.00")
    save_stock_edit(record, changed={"price"})

    assert is_hit(get(client, glow_pin.get_absolute_url())[0])
