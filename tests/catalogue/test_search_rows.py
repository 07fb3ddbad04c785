"""Search's facet counts over the whole catalogue come from catalogue.SearchRow on PostgreSQL: a
narrow copy of each listed product's lexemes and listing columns, written by a trigger. They equal
a fresh GROUP BY of the matching product rows after products are created, edited, renamed, sold
out, hidden and deleted, with and without filters ticked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue.selectors import listed_products
from shop.order.utils import allocate
from shop.search import facets, selectors
from tests.factories import CharacterFactory, ContentWarningFactory, FranchiseFactory, merch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="search rows are PostgreSQL's (SQLite groups products)",
)

Product = get_model("catalogue", "Product")
SearchRow = get_model("catalogue", "SearchRow")

QUERIES = ["pin", "academy", "kitsune pin", "glows", "sticker"]
FILTERS = [
    facets.Filters(),
    facets.Filters(in_stock=True),
    facets.Filters(prices=("10-20",), hide_warnings=True),
    facets.Filters(types=("enamel-pin",), franchises=("counting-academy",)),
]


def made_for_search() -> dict:
    """Two franchises, three pins and a sticker whose description says "pin"."""
    academy = FranchiseFactory(name="Counting Academy", slug="counting-academy")
    kitsune = FranchiseFactory(name="Kitsune Tales")
    mika, yuzu = (CharacterFactory(franchise=academy) for _ in range(2))
    return {
        "academy": academy,
        "kitsune": kitsune,
        "mika": mika,
        "cheap": merch("Cheap Pin", price="5.00", stock=1, franchise=academy, characters=[mika]),
        "mid": merch("Mid Pin", price="15.00", stock=3, franchise=academy, characters=[mika, yuzu]),
        "dear": merch("Dear Pin", price="45.00", stock=0, franchise=kitsune),
        "sticker": merch(
            "Glow Sticker",
            price="3.00",
            product_class="Sticker",
            characters=[yuzu],
            description="<p>Glows in the dark, like a pin.</p>",
        ),
    }


@pytest.fixture
def shop(db):
    return made_for_search()


def assert_rows_count_as_the_products_do():
    for query in QUERIES:
        for filters in FILTERS:
            from_rows = facets.count_facets(selectors.search_rows(query), filters)
            fresh = facets.count_facets(
                selectors.matching(listed_products(), query, ranked=False), filters
            )
            assert from_rows == fresh, (query, filters)
    copied = set(
        SearchRow.objects.values_list(
            "product_id",
            "product_class_id",
            "franchise_id",
            "listing_price",
            "is_available",
            "warning_level",
            "character_ids",
        )
    )
    assert copied == set(
        listed_products().values_list(
            "pk",
            "product_class_id",
            "franchise_id",
            "listing_price",
            "is_available",
            "warning_level",
            "character_ids",
        )
    )


@pytest.mark.django_db
def test_rows_count_as_a_fresh_group_by_after_products_are_created(shop):
    assert_rows_count_as_the_products_do()
    assert facets.count_facets(selectors.search_rows("pin"), facets.Filters()).total == 4


@pytest.mark.django_db
def test_rows_follow_price_franchise_warning_character_and_title_edits(shop):
    record = shop["cheap"].stockrecords.get()
    record.price = "25.00"
    record.save()
    shop["mid"].franchise = shop["kitsune"]
    shop["mid"].save()
    shop["dear"].content_warnings.add(ContentWarningFactory())
    shop["sticker"].characters.add(shop["mika"])
    shop["cheap"].characters.clear()
    shop["dear"].title = "Dear Kitsune Badge"
    shop["dear"].save()
    assert_rows_count_as_the_products_do()
    assert facets.count_facets(selectors.search_rows("badge"), facets.Filters()).total == 1


@pytest.mark.django_db
def test_rows_follow_sell_outs_hiding_and_deletes(shop):
    allocate(shop["mid"].stockrecords.get(), 3)  # the last units
    shop["cheap"].is_public = False
    shop["cheap"].save()
    shop["sticker"].delete()
    shop["kitsune"].delete()  # its products keep going, without a franchise
    assert_rows_count_as_the_products_do()
    in_stock = facets.count_facets(selectors.search_rows("pin"), facets.Filters(in_stock=True))
    assert in_stock.total == 0


@pytest.mark.django_db
def test_search_page_counts_from_the_rows_and_phrases_from_the_products(client, shop):
    with CaptureQueriesContext(connection) as plain:
        response = client.get(reverse("search:search"), {"q": "pin"})
    assert response.context["paginator"].count == 4
    assert any("catalogue_searchrow" in q["sql"] for q in plain.captured_queries)
    # A hyphenated word is a phrase, which lexemes without positions cannot check.
    assert selectors.search_rows("cheap-pin") is None
    response = client.get(reverse("search:search"), {"q": "cheap-pin"})
    assert response.status_code == 200
