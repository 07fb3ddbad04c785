"""A kept word's search counts (catalogue.search_words, PostgreSQL): per relevance tier and facet
cell, moved by a trigger in the statement that changes a product. Search's facet counts and tier
sizes read from them equal a fresh GROUP BY of the matching products after products are created,
edited, renamed, sold out, hidden and deleted, with and without filters ticked, and after the
task worker folds their signed rows."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue import facet_counts
from catalogue.search_words import keep_frequent_words
from catalogue.selectors import listed_products
from shop.order.utils import allocate
from shop.search import facets, selectors
from tests.catalogue.test_search_rows import FILTERS, made_for_search
from tests.factories import ContentWarningFactory, merch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="kept word counts are PostgreSQL's (SQLite groups products)",
)

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")
SearchWordCount = get_model("catalogue", "SearchWordCount")

KEPT = ["pin", "academy", "sticker"]  # words in at least two products of the fixture


@pytest.fixture
def shop(db):
    found = made_for_search() | {
        "other": merch("Other Sticker", price="4.00", product_class="Sticker"),
    }
    assert keep_frequent_words(min_products=2)  # "pin", "academi", "sticker" among them
    return found


def fresh_tiers(query: str, filters: facets.Filters) -> dict[int, int]:
    matched = selectors.matching(listed_products(), query).filter(filters.q())
    return dict(matched.order_by().values_list("tier").annotate(n=Count("pk")))


def assert_kept_counts_are_a_fresh_count():
    for query in KEPT:
        for filters in FILTERS:
            cells, groups = selectors.searched_counts(query, filters)
            assert cells and not groups, query  # the kept cells answered, not a live count
            kept = facets.count_facets(None, filters, counted=(cells, groups))
            fresh = facets.count_facets(
                selectors.matching(listed_products(), query, ranked=False), filters
            )
            assert (kept.facets, kept.total, kept.known) == (fresh.facets, fresh.total, fresh.known)
            assert {t: n for t, n in kept.tiers.items() if n} == fresh_tiers(query, filters)


@pytest.mark.django_db
def test_kept_counts_equal_a_fresh_count_after_products_are_created(shop):
    merch("New Academy Pin", price="12.00", franchise=shop["academy"], characters=[shop["mika"]])
    assert_kept_counts_are_a_fresh_count()
    pins = facets.count_facets(
        None, facets.Filters(), counted=selectors.searched_counts("pin", facets.Filters())
    )
    # Four titles hold "pin"; the sticker's description does.
    assert pins.total == 5 and pins.tiers == {1: 4, 3: 1}


@pytest.mark.django_db
def test_kept_counts_follow_price_franchise_warning_character_and_title_edits(shop):
    record = shop["cheap"].stockrecords.get()
    record.price = "25.00"
    record.save()
    shop["mid"].franchise = shop["kitsune"]
    shop["mid"].save()
    shop["dear"].content_warnings.add(ContentWarningFactory())
    shop["sticker"].characters.add(shop["mika"])
    shop["cheap"].characters.clear()
    shop["dear"].title = "Dear Kitsune Sticker"  # out of "pin", into "sticker"
    shop["dear"].save()
    assert_kept_counts_are_a_fresh_count()


@pytest.mark.django_db
def test_kept_counts_follow_sell_outs_hiding_and_deletes_and_survive_folding(shop):
    allocate(shop["mid"].stockrecords.get(), 3)  # the last units
    shop["cheap"].is_public = False
    shop["cheap"].save()
    shop["other"].delete()
    shop["kitsune"].delete()  # its products keep going, without a franchise
    assert_kept_counts_are_a_fresh_count()
    rows = SearchWordCount.objects.count()
    facet_counts.compact()
    assert SearchWordCount.objects.count() < rows
    assert not SearchWordCount.objects.filter(n__lte=0).exists()
    assert_kept_counts_are_a_fresh_count()


@pytest.mark.django_db
def test_a_sale_that_leaves_a_product_available_writes_no_kept_count(shop):
    rows = SearchWordCount.objects.count()
    allocate(shop["mid"].stockrecords.get(), 1)  # 2 left
    # Oscar's analytics count the purchase: the product row is written (num_purchases).
    ProductRecord.objects.create(product=shop["mid"], num_purchases=1)
    assert Product.objects.get(pk=shop["mid"].pk).num_purchases == 1
    assert SearchWordCount.objects.count() == rows


@pytest.mark.django_db
def test_kept_and_live_words_run_the_same_queries_and_show_the_same_counts(client, shop):
    # The category menu is kept after the first page that shows it: show it before counting, or
    # whichever word is searched first pays for it (as it did when this test ran alone).
    client.get(reverse("search:search"), {"q": "warm"})
    counts = {}
    for query in ("pin", "glows"):  # kept, and a word only one product holds
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("search:search"), {"q": query, "in_stock": "1"})
        assert response.status_code == 200
        counts[query] = (len(queries), response.context["paginator"].count)
    assert counts["pin"][0] == counts["glows"][0]
    assert counts["pin"][1] == 3  # cheap, mid and the sticker; the dear pin is sold out
    assert counts["glows"][1] == 1
