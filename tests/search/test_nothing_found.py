"""When a search matches nothing, the page offers a corrected query, the closest names, the
best-selling products and the articles that sold most, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.search.suggestions import did_you_mean, suggest
from tests.blog.conftest import write_post
from tests.factories import merch

pytestmark = pytest.mark.django_db

PINK_PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"


def search(client, query):
    response = client.get(reverse("search:search"), {"q": query})
    assert response.status_code == 200
    return response


def test_a_typo_offers_a_corrected_query_that_finds_the_pin_and_the_closest_products(
    client, demo_shop
):
    response = search(client, "pinc hair")
    html = response.content.decode()
    assert response.context["paginator"].count == 0
    assert "Did you mean" in html
    corrected = response.context["did_you_mean"]
    assert corrected and corrected != "pinc hair"
    assert PINK_PIN in [p.title for p in search(client, corrected).context["products"]]
    assert PINK_PIN in html  # among the closest matches
    assert "Popular products" in html and "Popular articles" in html


def test_nothing_close_still_offers_popular_products_and_articles(client, demo_shop):
    html = search(client, "zzqxv").content.decode()
    assert "Nothing matched" in html
    assert "Did you mean" not in html and "Closest matches" not in html
    assert "Popular products" in html and 'class="product-card' in html
    assert "Popular articles" in html


def test_a_search_that_finds_something_offers_none_of_it(client, demo_shop):
    html = search(client, "enamel pin").content.decode()
    assert "Nothing matched" not in html and "Popular products" not in html


def test_did_you_mean_replaces_only_the_misspelt_words(demo_shop):
    assert did_you_mean("enamle pin", suggest("enamle pin")) == "enamel pin"
    assert did_you_mean("enamel pin", suggest("enamel pin")) == ""


@pytest.mark.parametrize("size", [3, 30])
def test_the_nothing_found_page_runs_a_fixed_number_of_queries(client, size):
    counts = {}
    for n in range(size):
        merch(f"Budget Academy Enamel Pin No. {n}")
        if n < 5:
            write_post(f"Budget pin guide {n}")
    for query in ("budgte acadmey", "zzqxv"):
        search(client, query)  # the facet and suggestion parts are kept from here on
        with CaptureQueriesContext(connection) as captured:
            search(client, query)
        counts[query] = len(captured)
    assert counts["budgte acadmey"] <= 12, counts
    assert counts["zzqxv"] <= 12, counts
    test_the_nothing_found_page_runs_a_fixed_number_of_queries.counts[size] = counts


test_the_nothing_found_page_runs_a_fixed_number_of_queries.counts = {}


def test_the_nothing_found_page_costs_the_same_at_both_sizes():
    counts = test_the_nothing_found_page_runs_a_fixed_number_of_queries.counts
    if len(counts) == 2:
        assert counts[3] == counts[30]
