"""One search box: products ranked by relevance on name, franchise, character, attributes and
description; PostgreSQL through its full-text index, SQLite through a word-matching fallback."""

import pytest
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN
from shop.devtools.demo.seed import add_synthetic_products
from shop.search import selectors

Product = get_model("catalogue", "Product")


def titles(client, query, **params):
    response = client.get(reverse("search:search"), {"q": query, **params})
    assert response.status_code == 200
    return [p.title for p in response.context["products"]]


@pytest.mark.django_db
def test_pink_pin_finds_the_cheeky_pink_haired_girl_pin_first(client, demo_shop):
    found = titles(client, "pink pin")
    assert found[0] == Product.objects.get(upc=CHEEKY_PINK_PIN).title
    assert "Cheeky Pink-Haired Anime Girl Vinyl Sticker" in found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("moonlit ronin", "Kageyama Jin Hard Enamel Pin"),  # franchise
        ("momo", "Sakura Season Hard Enamel Pin"),  # character
        ("locking pin back", "Moonlit Blade Limited Hard Enamel Pin"),  # attribute value
        ("narutomaki", "Ramen Night Holographic Sticker"),  # description
        ("PIN-KON-FOX", "Kon the Café Fox Soft Enamel Pin"),  # UPC
        ("stickers", "Ramen Night Holographic Sticker"),  # plural
    ],
)
def test_search_matches_franchise_character_attributes_description_and_upc(
    client, demo_shop, query, expected
):
    assert expected in titles(client, query)


@pytest.mark.django_db
def test_every_word_must_match(client, demo_shop):
    found = titles(client, "kon sticker")
    assert found == ["Kon the Café Fox Holographic Sticker"]
    assert titles(client, "kon xylophone") == []


@pytest.mark.django_db
def test_relevance_is_the_default_order_and_other_orders_apply(client, demo_shop):
    response = client.get(reverse("search:search"), {"q": "pin"})
    assert response.context["sort_by"] == "relevance"
    by_price = titles(client, "pin", sort_by="price-asc")
    prices = [Product.objects.get(title=t).listing_price for t in by_price]
    assert prices == sorted(prices)
    # Without a query there is nothing to be relevant to: newest first, and no such choice.
    response = client.get(reverse("catalogue:index"), {"sort_by": "relevance"})
    assert response.context["sort_by"] == "newest"
    assert "relevance" not in [value for value, _ in response.context["sort_choices"]]


@pytest.mark.django_db
def test_search_within_facets_counts_only_matching_products(client, demo_shop):
    response = client.get(reverse("search:search"), {"q": "kon"})
    types = {v.label: v.count for v in response.context["facets"][0].values}
    assert types == {"Enamel pin": 1, "Sticker": 1, "Keychain": 1, "Print": 1}


@pytest.mark.django_db
def test_postgresql_search_uses_the_full_text_index(demo_shop):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index exists on PostgreSQL only; SQLite scans")
    add_synthetic_products(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_product")
        # A stored vector is cheap to scan at this size: ask whether the index can serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # GIN serves bitmap scans only
    plan = selectors.matching(Product.objects.all(), "mika hoshino").explain()
    assert "catalogue_product_search_document_gin" in plan, plan
