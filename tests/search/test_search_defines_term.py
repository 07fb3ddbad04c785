"""A search that names a glossary term (typo forgiven) shows its definition above the results."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def search(client, q):
    response = client.get(reverse("search:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_a_term_searched_for_is_defined_above_the_results(demo_shop, client):
    page = search(client, "ita bag")
    assert 'class="search-definition"' in page
    assert "A bag with a clear panel" in page
    assert page.index("search-definition") < page.index("search-section--articles")


def test_a_typo_still_finds_the_term(demo_shop, client):
    assert "A bag with a clear panel" in search(client, "itabga")


def test_a_mature_term_is_named_but_not_defined(demo_shop, client):
    page = search(client, "netorare")
    assert 'href="/glossary/ntr/"' in page
    assert "sting of betrayal" not in page


def test_a_search_for_more_than_a_term_defines_nothing(demo_shop, client):
    assert "search-definition" not in search(client, "enamel pin")
    assert "search-definition" not in search(client, "ita bag pins")
