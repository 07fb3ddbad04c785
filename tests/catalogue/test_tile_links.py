"""A listing's tiles link each product's page and its Add to basket without a `reverse` per tile
(catalogue.links): the links are the ones `reverse` gives, under any script prefix and URLconf."""

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from oscar.core.loading import get_model

from catalogue import links
from tests.factories import merch

Product = get_model("catalogue", "Product")


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/shop/"])
@pytest.mark.parametrize("slug", ["pin-senpai_2", "", "ünïcode-pin"])
def test_a_product_links_where_reverse_would(script_prefix, prefix, slug):
    script_prefix(prefix)
    product = Product(slug=slug, pk=4711)

    assert product.get_absolute_url() == reverse(
        "catalogue:detail", kwargs={"product_slug": slug, "pk": 4711}
    )
    assert links.add_to_basket_url(4711) == reverse("basket:add", kwargs={"pk": 4711})
    assert product.get_absolute_url().startswith(prefix)


@pytest.mark.django_db
def test_the_listing_tile_links_its_page_and_its_add_to_basket(client):
    product = merch("Chibi Pin", slug="chibi-pin")

    page = client.get(reverse("catalogue:index")).content.decode()

    assert f'href="/catalogue/chibi-pin_{product.pk}/"' in page
    assert f'action="/basket/add/{product.pk}/"' in page


def test_links_follow_a_changed_urlconf():
    before = links.add_to_basket_url(1)
    with override_settings(ROOT_URLCONF="tests.catalogue.elsewhere_urls"):
        assert links.add_to_basket_url(1) == "/elsewhere/basket/add/1/"
    assert links.add_to_basket_url(1) == before
