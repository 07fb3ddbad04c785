"""Titles are text, never markup: a product, category or article named like a script is shown
escaped on every page that names it."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.blog.conftest import write_post
from tests.factories import merch

Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_like_scripts(db):
    product = merch(f"Pin {SCRIPT}")
    category = Category.add_root(name=f"Pins {SCRIPT}", slug="pins-script")  # a slug without "/"
    ProductCategory.objects.create(product=product, category=category)
    post = write_post(f"Pins {SCRIPT}", slug="pins-script", body=f"[[product:{product.upc}]]")
    return product, category, post


def shown(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    return response.content.decode()


def test_titles_are_escaped_on_the_product_page_listing_category_search_and_article(
    client, named_like_scripts
):
    product, category, post = named_like_scripts
    for url, params in [
        (product.get_absolute_url(), None),
        (reverse("catalogue:index"), None),
        (category.get_absolute_url(), None),
        (reverse("search:search"), {"q": "pin"}),
        (post.get_absolute_url(), None),
    ]:
        html = shown(client, url, params)
        assert SCRIPT not in html, url
        assert ESCAPED in html, url
