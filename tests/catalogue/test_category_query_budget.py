"""A category or franchise listing, cold (every cache emptied) and with a basket, runs at most 12
queries however deep the category and however many categories the menu lists: category URLs are
worked out from rows already read, not by asking for each parent's slug."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from tests.factories import FranchiseFactory, merch

ProductCategory = get_model("catalogue", "ProductCategory")

QUERY_BUDGET = 12

pytestmark = pytest.mark.django_db


def build_shop(*, branches: int, products: int) -> dict:
    """Three levels of categories under `branches` second-level ones; products in the deepest."""
    franchise = FranchiseFactory(name="Budget Academy", slug="budget-academy")
    deepest = None
    for branch in range(branches):
        category = create_from_breadcrumbs(f"Figures > Series {branch} > Scale {branch}")
        deepest = deepest or category
    for n in range(products):
        product = merch(f"Budget Figure No. {n}", franchise=franchise)
        ProductCategory.objects.create(product=product, category=deepest)
    return {"category": deepest.get_absolute_url(), "franchise": franchise.get_absolute_url()}


def cold_queries(client, url: str) -> list[str]:
    cache.clear()  # Oscar keeps category slugs in the cache too
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    assert b"product-card" in response.content, url
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("page", ["category", "franchise"])
def test_cold_category_and_franchise_with_a_basket_stay_within_budget_at_two_sizes(client, page):
    small = build_shop(branches=2, products=3)
    product = merch("Basket Figure")
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    small_count = len(cold_queries(client, small[page]))

    build_shop(branches=12, products=60)
    queries = cold_queries(client, small[page])

    assert len(queries) == small_count
    assert len(queries) <= QUERY_BUDGET, "\n".join(queries)


def test_breadcrumb_and_menu_link_each_category_by_its_full_path(client):
    urls = build_shop(branches=2, products=1)
    cache.clear()

    html = client.get(urls["category"]).content.decode()

    figures = create_from_breadcrumbs("Figures")
    series = create_from_breadcrumbs("Figures > Series 0")
    scale = create_from_breadcrumbs("Figures > Series 0 > Scale 0")
    assert f'<a href="/catalogue/category/figures_{figures.pk}/">Figures</a>' in html
    assert f'<a href="/catalogue/category/figures/series-0_{series.pk}/">Series 0</a>' in html
    assert (
        f'<li class="depth-3"><a href="/catalogue/category/figures/series-0/scale-0_{scale.pk}/"'
        ' aria-current="page">Scale 0</a></li>'
    ) in html
