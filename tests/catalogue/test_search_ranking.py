"""Search's relevance rule (shop.search.selectors): every word in the title first, then every word
in the title or the names a product is listed under, then the rest; within each, the most
purchased, then the newest. Pages follow that one order, whole and without overlaps, whether a
page sorts all matches at once or reads the tiers one after the other (PostgreSQL, many matches),
and the count shown is the number of matches."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue.search_words import keep_frequent_words
from shop.pagecache import forget_local
from shop.search import selectors
from tests.factories import FranchiseFactory, merch

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")


def sold(product, n: int) -> None:
    ProductRecord.objects.update_or_create(product=product, defaults={"num_purchases": n})


@pytest.fixture(params=["sorted at once", "tier by tier", "kept word, walked", "kept word, sorted"])
def many_matches(request, monkeypatch):
    """Every way of reading a page: with SORTED_AT_ONCE at 0 even a handful of matches is read
    tier by tier (on PostgreSQL; SQLite always sorts at once); a kept word's tiers are skipped by
    their kept sizes (catalogue.search_words), each walked in index order from its nearer end or
    read whole and sorted in Python (SORTED_HERE). Words are kept once the products exist."""
    if request.param != "sorted at once":
        monkeypatch.setattr(selectors, "SORTED_AT_ONCE", 0)
    if request.param.startswith("kept word"):
        monkeypatch.setattr(
            selectors, "SORTED_HERE", 0 if request.param.endswith("walked") else 100
        )
        keep_frequent_words(min_products=1)


@pytest.fixture
def lanterns():
    """Lantern matches in every tier, some bought, some tied on purchases."""
    festival = FranchiseFactory(name="Lantern Festival")
    by_title = [merch(f"Lantern Pin {n}") for n in range(7)]
    by_name = [merch(f"Festival Keychain {n}", franchise=festival) for n in range(6)]
    by_text = [
        merch(f"Night Sticker {n}", description="<p>Glows like a lantern.</p>") for n in range(8)
    ]
    merch("Unrelated Print", description="<p>Nothing to see.</p>")
    sold(by_title[2], 3)
    sold(by_name[4], 500)  # far more popular than any title match: still below them
    sold(by_text[1], 900)
    sold(by_text[5], 2)
    return by_title, by_name, by_text


def expected_order(tiers) -> list[str]:
    ordered = []
    for products in tiers:
        fresh = Product.objects.filter(pk__in=[p.pk for p in products])
        ordered += [
            p.title
            for p in sorted(
                fresh, key=lambda p: (-p.num_purchases, -p.date_created.timestamp(), -p.pk)
            )
        ]
    return ordered


def every_page(client, query: str, **filters) -> tuple[list[str], int]:
    titles, page = [], 1
    while True:
        response = client.get(reverse("search:search"), {"q": query, "page": page, **filters})
        assert response.status_code == 200
        count = response.context["paginator"].count
        titles += [p.title for p in response.context["products"]]
        if not response.context["page_obj"].has_next():
            return titles, count
        page += 1


@pytest.mark.django_db
def test_pages_follow_the_tiers_whole_and_without_overlap(client, settings, lanterns, many_matches):
    settings.OSCAR_PRODUCTS_PER_PAGE = 4
    titles, count = every_page(client, "lantern")
    assert titles == expected_order(lanterns)
    assert count == len(titles) == 21


@pytest.mark.django_db
def test_best_title_match_is_first_on_page_one(client, settings, lanterns, many_matches):
    settings.OSCAR_PRODUCTS_PER_PAGE = 4
    response = client.get(reverse("search:search"), {"q": "lantern"})
    assert response.context["products"][0].title == "Lantern Pin 2"  # the title match bought most
    assert [p.title for p in response.context["products"]][1:] == [
        "Lantern Pin 6",
        "Lantern Pin 5",
        "Lantern Pin 4",
    ]


@pytest.mark.django_db
def test_every_word_must_be_in_the_title_for_the_first_tier(client, lanterns, many_matches):
    merch("Lantern Festival Mask")
    titles, count = every_page(client, "lantern festival")
    # The mask has both words in its title; the keychains have one in the title, one in the name.
    assert titles[0] == "Lantern Festival Mask"
    assert titles[1] == "Festival Keychain 4"
    assert count == 7


@pytest.mark.django_db
def test_a_filter_leaves_the_order_and_counts_what_remains(
    client, settings, lanterns, many_matches
):
    settings.OSCAR_PRODUCTS_PER_PAGE = 4
    sold_out = merch("Lantern Pin Sold Out", stock=0)
    sold(sold_out, 10_000)
    titles, count = every_page(client, "lantern", in_stock="1")
    assert titles == expected_order(lanterns)
    assert count == 21
    titles, count = every_page(client, "lantern")
    assert titles[0] == "Lantern Pin Sold Out"
    assert count == 22


@pytest.mark.django_db
def test_every_page_of_a_kept_word_runs_the_same_queries(client, settings, lanterns, monkeypatch):
    """A kept word's tier sizes come with its facet counts: a page past a tier skips it without
    counting it, and reads the tiers it holds in one query, wherever it is."""
    if connection.vendor != "postgresql":
        pytest.skip("words are kept on PostgreSQL")
    monkeypatch.setattr(selectors, "SORTED_AT_ONCE", 0)
    keep_frequent_words(min_products=1)
    settings.OSCAR_PRODUCTS_PER_PAGE = 4
    queries_by_page = {}
    for page in range(1, 7):  # 21 matches: 7 by title, 6 by name, 8 by text
        cache.clear()
        forget_local()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("search:search"), {"q": "lantern", "page": page})
        assert response.status_code == 200 and response.context["products"]
        queries_by_page[page] = len(queries)
    assert len(set(queries_by_page.values())) == 1, queries_by_page


@pytest.mark.django_db
def test_two_words_spread_over_title_names_and_description_keep_their_tiers(client, many_matches):
    """Tiers 2 and 3 are found through the words a product has only among its names, or only in
    its description: a word in several fields still counts where the rule says."""
    lantern = FranchiseFactory(name="Lantern Festival")
    first = [merch("Moon Lantern"), merch("Lantern Moon Pin", franchise=lantern)]
    second = [
        merch("Moon Charm", franchise=lantern),
        merch("Moon Charm Two", franchise=lantern, description="<p>A lantern.</p>"),
    ]
    third = [
        merch("Moon Sticker", description="<p>A lantern and the moon.</p>"),
        merch("Plain Sticker", description="<p>Moon lantern.</p>"),
    ]
    sold(second[0], 40)
    sold(third[1], 90)

    titles, count = every_page(client, "moon lantern")

    assert titles == expected_order([first, second, third])
    assert count == 6


@pytest.mark.django_db
def test_a_small_tier_of_a_frequent_word_is_read_through_its_index():
    """The last page of "pin" needs its few tier-2 matches: the index on the words only among
    the names finds them, instead of reading every match (catalogue migration 0045)."""
    if connection.vendor != "postgresql":
        pytest.skip("the tiers' indexes are PostgreSQL's")
    franchise = FranchiseFactory(name="Lantern Festival")
    for n in range(300):
        merch(f"Lantern Pin {n}")
    merch("Festival Keychain", franchise=franchise)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_product")

    words = selectors.matching(Product.objects.all(), "lantern")
    plan = words.filter(selectors.IN_TIER[2]).explain()

    assert "catalogue_product_names_only_gin" in plan
    assert [p.title for p in words.filter(selectors.IN_TIER[2])] == ["Festival Keychain"]
