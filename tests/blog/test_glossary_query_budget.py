"""The glossary's index and entries run a fixed number of SQL queries, whatever the number of
terms, product cards, see-also links or articles they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import PostTerm, Term
from tests.blog.conftest import html, write_post, write_term
from tests.blog.test_query_budget import add_image
from tests.factories import ContentWarningFactory, merch

pytestmark = pytest.mark.django_db

# terms, their warnings (inside the request's savepoint)
INDEX_BUDGET = 4
# term (+ explainer), warnings, see-also, cards (products, stock, images, warnings, variants and
# their stock), articles
ENTRY_BUDGET = 12


def queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        html(client, url)
    return [q["sql"] for q in captured.captured_queries]


def test_index_runs_the_same_few_queries_for_2_or_20_terms(client):
    mature = ContentWarningFactory(slug="ntr", level=2)
    counts = {}
    for total in (2, 20):
        while Term.objects.count() < total:
            n = Term.objects.count()
            write_term(f"Term {n:02}", aliases=f"alias {n}", warnings=[mature] if n % 2 else [])
        found = queries(client, reverse("glossary:index"))
        assert len(found) <= INDEX_BUDGET, "\n".join(found)
        counts[total] = len(found)
        filtered = queries(client, reverse("glossary:index") + "?q=alias")
        assert len(filtered) == counts[total], "\n".join(filtered)
    assert counts[2] == counts[20], counts


def entry_with(n: int):
    products = []
    for i in range(n):
        product = merch(f"Entry Pin {n}-{i}", upc=f"PIN-E{n}-{i}", stock=0 if i % 3 == 2 else 5)
        add_image(product)
        products.append(product)
    others = [write_term(f"Other {n}-{i}") for i in range(n)]
    posts = [write_post(f"Using {n}-{i}") for i in range(n)]
    term = write_term(
        f"Entry {n}",
        products=products,
        see_also=others,
        explainer=posts[0],
        warnings=[ContentWarningFactory(slug="spoilers", level=1)],
    )
    PostTerm.objects.bulk_create(PostTerm(post=post, term=term) for post in posts)
    return term


def test_entry_runs_the_same_few_queries_for_1_or_8_cards_links_and_articles(client):
    counts = {}
    for n in (1, 8):
        term = entry_with(n)
        page = html(client, term.get_absolute_url())
        assert page.count('class="product-card article-card') == n
        found = queries(client, term.get_absolute_url())
        assert len(found) <= ENTRY_BUDGET, "\n".join(found)
        counts[n] = len(found)
    assert counts[1] == counts[8], counts
