""" "Add to basket" on an article's card brings the reader back to that very card, which says the
item is in the basket (once), while the article's other cards and later visits do not."""

import re

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN
from tests.blog.conftest import html, write_post

Product = get_model("catalogue", "Product")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

OTHER_PIN = "PIN-PASTEL-HEART"  # sold out in the demo shop
ADDED = "Added to your basket"


def cards(page: str) -> list[str]:
    return re.findall(r'<article class="product-card article-card.*?</article>', page, re.S)


def next_field(card: str) -> str:
    return re.search(r'name="next" value="([^"]*)"', card).group(1)


@pytest.fixture
def article(demo_shop):
    return write_post(
        "Pins for your ita bag",
        body=(
            "Start with this one.\n\n"
            f"[[product:{CHEEKY_PINK_PIN}]]\n\n"
            "Or wait for this one.\n\n"
            f"[[products:{OTHER_PIN}, {CHEEKY_PINK_PIN}]]\n"
        ),
    )


def test_each_card_has_its_own_anchor_and_its_button_returns_to_it(client, article):
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    first, _, again = cards(html(client, article.get_absolute_url()))
    assert f'id="product-{pin.pk}"' in first
    assert next_field(first) == f"{article.get_absolute_url()}#product-{pin.pk}"
    # The same product further down is a card of its own: its button comes back to it.
    assert f'id="product-{pin.pk}-2"' in again
    assert next_field(again) == f"{article.get_absolute_url()}#product-{pin.pk}-2"


def test_adding_returns_to_the_card_which_confirms_it_once(client, article):
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    url = article.get_absolute_url()
    response = client.post(
        reverse("basket:add", kwargs={"pk": pin.pk}),
        {"quantity": 1, "next": f"{url}#product-{pin.pk}", "article": article.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#product-{pin.pk}"
    assert [line.product for line in Basket.objects.get().all_lines()] == [pin]

    first, sold_out, again = cards(html(client, url))
    assert ADDED in first and reverse("basket:summary") in first
    assert ADDED in again  # the same product's other card
    assert ADDED not in sold_out
    # Said once: reading the article again later shows no confirmation.
    assert ADDED not in html(client, url)

    # An add from the product page is not confirmed on the article.
    client.post(
        reverse("basket:add", kwargs={"pk": pin.pk}),
        {"quantity": 1, "next": pin.get_absolute_url()},
    )
    client.get(pin.get_absolute_url())
    assert ADDED not in html(client, url)
