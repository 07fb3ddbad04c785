"""Live product cards in articles: today's price and stock from Oscar's strategy, a basket button
that brings the reader back, "notify me" when sold out, and no card at all for a hidden product."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN
from tests.blog.conftest import html, write_post
from tests.factories import merch

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

PASTEL_HEART = "PIN-PASTEL-HEART"  # sold out in the demo shop


def cards(page: str) -> list[str]:
    return re.findall(r'<article class="product-card article-card.*?</article>', page, re.S)


@pytest.fixture
def article(demo_shop):
    return write_post(
        "Pins for your ita bag",
        body=(
            "Start with this one.\n\n"
            f"[[product:{CHEEKY_PINK_PIN}]]\n\n"
            "Or wait for this one.\n\n"
            f"[[products:{PASTEL_HEART}, {CHEEKY_PINK_PIN}]]\n"
        ),
    )


def test_card_shows_todays_price_and_stock_and_follows_a_price_change(client, article):
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    first = cards(html(client, article.get_absolute_url()))[0]
    assert pin.get_title() in first
    record = StockRecord.objects.get(product=pin)
    assert f"${record.price:.2f}" in first
    assert "In stock" in first

    record.price = Decimal("4.44")
    record.save()
    assert "$4.44" in cards(html(client, article.get_absolute_url()))[0]


def test_in_stock_card_adds_to_the_basket_and_brings_the_reader_back(client, article):
    page = html(client, article.get_absolute_url())
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    first = cards(page)[0]
    assert f'action="{reverse("basket:add", kwargs={"pk": pin.pk})}"' in first
    assert "Add to basket" in first

    response = client.post(
        reverse("basket:add", kwargs={"pk": pin.pk}),
        {"quantity": 1, "next": article.get_absolute_url(), "article": article.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    basket = Basket.objects.get()
    assert [line.product for line in basket.all_lines()] == [pin]


def test_sold_out_card_offers_notify_me_instead_of_the_basket(client, article):
    heart = Product.objects.get(upc=PASTEL_HEART)
    row = html(client, article.get_absolute_url()).split("article-cards--row")[1]
    sold_out = cards(row)[0]
    assert heart.get_title() in sold_out
    assert "Add to basket" not in sold_out
    assert f'action="{reverse("customer:alert-create", kwargs={"pk": heart.pk})}"' in sold_out
    assert 'type="email" name="email" required' in sold_out
    assert "Notify me" in sold_out


def test_card_and_links_go_through_the_article_the_same_for_every_reader(client, article):
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    first = cards(html(client, article.get_absolute_url()))[0]
    via = reverse("blog:to-product", kwargs={"slug": article.slug, "pk": pin.pk})
    assert f'href="{via}"' in first
    assert f'name="article" value="{article.pk}"' in first
    linked = write_post(
        "Linking post", body=f"See [the pin]({pin.get_absolute_url()}) in the shop."
    )
    page = html(client, linked.get_absolute_url())
    assert f'href="/blog/{linked.slug}/to/{pin.pk}/"' in page
    assert "?from=" not in page


def test_unpublished_or_deleted_product_card_disappears_without_an_empty_box(client, db):
    kept = merch("Kept Pin", upc="PIN-KEPT")
    hidden = merch("Hidden Pin", upc="PIN-HIDDEN")
    gone = merch("Gone Pin", upc="PIN-GONE")
    post = write_post(
        "Three pins", body="[[products:PIN-KEPT, PIN-HIDDEN, PIN-GONE]]\n\n[[product:PIN-GONE]]"
    )
    assert len(cards(html(client, post.get_absolute_url()))) == 4

    hidden.is_public = False
    hidden.save()
    gone.delete()
    page = html(client, post.get_absolute_url())
    assert [kept.get_title() in card for card in cards(page)] == [True]
    assert "Hidden Pin" not in page and "Gone Pin" not in page
    assert page.count('<div class="article-cards') == 1  # the all-gone embed leaves nothing
    assert "data-product-embed" not in page and "data-product-row" not in page


def test_embed_by_slug_works_when_the_key_is_not_a_upc(client, db):
    merch("Slug Pin", upc="PIN-SLUG", slug="slug-pin")
    post = write_post("By slug", body="[[product:slug-pin]]")
    assert "Slug Pin" in cards(html(client, post.get_absolute_url()))[0]
