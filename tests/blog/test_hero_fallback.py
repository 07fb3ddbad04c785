"""A post published without a hero image still has a picture: on the blog index and in its
`og:image`, the first product it features (when that product has a picture and no content
warning), else the shop's branded stand-in. Never an empty box or a missing share image."""

import re

import pytest
from oscar.core.loading import get_model

from catalogue.images import thumbnail_url
from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN
from tests.blog.conftest import html, write_post

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db

INDEX = "/blog/"


def card_of(page: str, title: str) -> str:
    for card in re.findall(r'<article class="post-card">.*?</article>', page, re.S):
        if title in card:
            return card
    raise AssertionError(f"no card for {title!r}")


def og_image(page: str) -> str:
    return re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)


@pytest.fixture
def pin(demo_shop):
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    assert not isinstance(pin.primary_image(), dict), "the demo pin has a picture"
    return pin


def test_a_post_featuring_a_product_shows_its_picture_on_the_index_and_when_shared(client, pin):
    post = write_post(
        "Pins for your ita bag", body=f"Start here.\n\n[[product:{CHEEKY_PINK_PIN}]]\n"
    )
    picture = pin.primary_image().original.name

    card = card_of(html(client, INDEX), "Pins for your ita bag")
    assert "post-card__image--product" in card
    assert thumbnail_url(picture, "card") in card

    page = html(client, post.get_absolute_url())
    assert og_image(page) == "http://testserver" + thumbnail_url(picture, "og")
    assert f'<meta property="og:image:alt" content="{pin.get_title()}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_a_post_without_hero_or_product_picture_gets_the_branded_stand_in(client, db):
    post = write_post("Pin care", body="Keep them shiny.")

    card = card_of(html(client, INDEX), "Pin care")
    assert "post-card__image--stand-in" in card
    assert "shop/img/post-stand-in.svg" in card

    page = html(client, post.get_absolute_url())
    assert re.fullmatch(
        r"http://testserver/static/shop/img/post-share(\.[0-9a-f]+)?\.png", og_image(page)
    )
