"""An embed's key names the product with that UPC, else the oldest product with that slug; the
products a post is saved with and the cards its page shows agree."""

import pytest
from oscar.core.loading import get_model

from blog.product_keys import by_key, named_by
from tests.blog.conftest import html, write_post
from tests.factories import merch

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")


def names(keys):
    return by_key(keys, list(Product.objects.filter(named_by(keys))))


def test_a_key_names_the_product_with_that_upc_before_one_with_that_slug():
    merch("Older, slug only", upc="PIN-OLD", slug="pin-fox")
    by_upc = merch("Newer, UPC", upc="pin-fox", slug="another-slug")

    assert names(["pin-fox"]) == {"pin-fox": by_upc}


def test_a_slug_names_the_oldest_product_that_has_it_and_an_unknown_key_nothing():
    oldest = merch("First fox pin", upc="PIN-FOX-1", slug="fox-pin")
    merch("Second fox pin", upc="PIN-FOX-2", slug="fox-pin")

    assert names(["fox-pin", "NOPE"]) == {"fox-pin": oldest}


def test_the_saved_featured_product_and_the_card_shown_are_the_same_for_a_shared_slug(client):
    oldest = merch("First fox pin", upc="PIN-FOX-1", slug="fox-pin")
    merch("Second fox pin", upc="PIN-FOX-2", slug="fox-pin")

    post = write_post("Fox pins", body="[[product:fox-pin]]")

    assert list(post.products.all()) == [oldest]
    page = html(client, post.get_absolute_url())
    assert "First fox pin" in page and "Second fox pin" not in page
