"""The glossary's pages are cached whole for anonymous readers like the blog's, and a change to a
term, its products or the posts it lists shows on the next request (catalogue.generations)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from blog import glossary
from tests.blog.conftest import write_term
from tests.commits import commits
from tests.factories import merch

StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@commits
def test_index_and_entry_are_served_from_the_cache_until_the_term_changes(client):
    term = write_term("Oshi", definition="The character you support most.")
    for url in (reverse("glossary:index"), term.get_absolute_url()):
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit"

    term.definition = "Your favourite member of a group."
    glossary.save_term(term)

    for url in (reverse("glossary:index"), term.get_absolute_url()):
        page = get(client, url)
        assert "X-Page-Cache" not in page
        assert b"Your favourite member of a group." in page.content


@commits
def test_a_related_products_price_change_shows_on_the_entry(client):
    pin = merch("Oshi Pin", price="12.00")
    term = write_term("Oshi", products=[pin])
    get(client, term.get_absolute_url())
    assert get(client, term.get_absolute_url())["X-Page-Cache"] == "hit"
    stock = StockRecord.objects.get(product=pin)
    stock.price = Decimal("9.50")
    stock.save()
    page = get(client, term.get_absolute_url())
    assert b"$9.50" in page.content and b"$12.00" not in page.content


@commits
def test_a_related_product_published_later_appears_on_the_cached_entry(client):
    pin = merch("Oshi Pin", price="12.00", is_public=False)
    term = write_term("Oshi", products=[pin])
    get(client, term.get_absolute_url())
    assert b"Oshi Pin" not in get(client, term.get_absolute_url()).content
    pin.is_public = True
    pin.save()
    assert b"Oshi Pin" in get(client, term.get_absolute_url()).content
