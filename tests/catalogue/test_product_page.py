"""The product page: what a shopper, a search engine and a link preview see, in a fixed number of queries."""

import io
import json
import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from PIL import Image

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN
from shop.devtools.demo.seed import add_synthetic_products
from tests.commits import commits
from tests.factories import FranchiseFactory, merch

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
ProductReview = get_model("reviews", "ProductReview")
StockRecord = get_model("partner", "StockRecord")
Category = get_model("catalogue", "Category")

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
RONIN_DUEL, TSUBAKI_ONSEN = "PRT-RONIN-DUEL", "PRT-TSUBAKI-ONSEN"


def product(upc):
    return Product.objects.get(upc=upc)


def page(client, item) -> str:
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1, "the page has exactly one JSON-LD graph"
    return json.loads(scripts[0])


def node(graph: dict, type_: str) -> dict | None:
    return next((n for n in graph["@graph"] if n["@type"] == type_), None)


def add_image(item, *, order: int, colour=(200, 80, 150)) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), colour).save(buffer, "PNG")
    image = ProductImage(product=item, caption=f"Angle {order}", display_order=order)
    image.original.save(f"angle-{item.pk}-{order}.png", ContentFile(buffer.getvalue()), save=False)
    image.save()


def review(item, *, score: int, approved: bool = True, title="Lovely") -> None:
    ProductReview.objects.create(
        product=item,
        score=score,
        title=title,
        body="Exactly like the pictures.",
        name="Aiko",
        email="aiko@example.com",
        status=ProductReview.APPROVED if approved else ProductReview.FOR_MODERATION,
    )


def consent(client, *, shows_mature: bool, is_adult_confirmed: bool = False) -> None:
    session = client.session
    session["content_consent"] = {
        "shows_mature": shows_mature,
        "is_adult_confirmed": is_adult_confirmed,
    }
    session.save()


# --- What the shopper sees -----------------------------------------------------------------


def test_gallery_is_a_picture_with_webp_and_jpeg_srcsets_and_fixed_dimensions(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    add_image(pin, order=1)
    add_image(pin, order=2)
    html = page(client, pin)
    gallery = html.split('class="gallery"')[1].split("</ul>")[0]
    pictures = re.findall(r"<picture>.*?</picture>", gallery, re.S)
    assert len(pictures) == 3
    for picture in pictures:
        assert re.search(
            r'<source type="image/webp" srcset="[^"]+\.webp 600w, [^"]+\.webp 1200w"', picture
        )
        assert re.search(r'<img[^>]+srcset="[^"]+\.jpg 600w, [^"]+\.jpg 1200w"', picture)
        assert 'sizes="' in picture
        assert 'width="600" height="600"' in picture
    # The first picture is the page's largest paint; the others wait until scrolled to.
    assert 'loading="eager"' in pictures[0] and 'fetchpriority="high"' in pictures[0]
    assert all('loading="lazy"' in p for p in pictures[1:])
    assert html.count('href="#image-') == 3  # the thumbnail strip


def test_breadcrumbs_franchise_and_characters_are_links(client, demo_shop):
    html = page(client, product(CHEEKY_PINK_PIN))
    crumbs = re.findall(r'class="breadcrumb-item[^"]*"[^>]*>(.*?)</li>', html, re.S)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in crumbs] == [
        "Home",
        "Enamel pins",
        "Hard enamel pins",
        "Cheeky Pink-Haired Anime Girl Enamel Pin",
    ]
    franchise_url = reverse("catalogue:franchise", kwargs={"slug": "pin-senpai-originals"})
    assert f'<a href="{franchise_url}">Pin Senpai Originals</a>' in html
    assert re.search(r'<a href="/search/\?q=[^"]+">[^<]+</a>', html.split("Characters")[1])


def test_attributes_table_lists_the_pins_specifications(client, demo_shop):
    html = page(client, product(CHEEKY_PINK_PIN))
    table = html.split('class="details-table"')[1].split("</table>")[0]
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table))
    assert rows["Size (mm)"] == "35"
    assert rows["Enamel"] == "Hard enamel"
    assert rows["Plating"] == "Gold"
    assert rows["Backing"] == "Rubber clutch"


def test_stock_reads_in_stock_only_3_left_or_sold_out_with_notify_me(client, demo_shop):
    assert "In stock" in page(client, product(CHEEKY_PINK_PIN))
    low = page(client, product("PIN-AOI-KUROSAWA"))  # three in stock
    assert "Only 3 left" in low
    assert 'id="add_to_basket_form"' in low
    sold_out = page(client, product("PIN-PASTEL-HEART"))
    assert "Sold out" in sold_out
    assert 'id="add_to_basket_form"' not in sold_out
    assert 'id="alert_form"' in sold_out and "Notify me" in sold_out


def test_parent_lists_each_variant_with_price_and_stock_as_a_link(client, db):
    parent = create_product(title="Starlight Crest Pin", structure="parent", product_class="Pin")
    gold = create_product(title="Gold plating", parent=parent, price="12.00", num_in_stock=9)
    silver = create_product(title="Silver plating", parent=parent, price="11.00", num_in_stock=2)
    html = page(client, parent)
    variants = html.split('class="variant-list"')[1].split("</ul>")[0]
    assert f'href="{gold.get_absolute_url()}"' in variants
    assert f'href="{silver.get_absolute_url()}"' in variants
    assert "Gold plating" in variants and "$12.00" in variants and "In stock" in variants
    assert "Silver plating" in variants and "$11.00" in variants and "Only 2 left" in variants

    child_page = page(client, silver)
    assert 'aria-current="page">' in child_page.split('class="variant-list"')[1]
    assert 'id="add_to_basket_form"' in child_page


def test_reviews_are_listed_with_their_rating_and_a_link_to_write_one(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    review(pin, score=5, title="Cutest pin I own")
    review(pin, score=3, title="Waiting for moderation", approved=False)
    html = page(client, pin)
    assert "Cutest pin I own" in html
    assert "Waiting for moderation" not in html
    assert "5.0 out of 5" in html
    add_url = reverse(
        "catalogue:reviews-add", kwargs={"product_slug": pin.slug, "product_pk": pin.pk}
    )
    assert f'href="/accounts/login/?next={quote(add_url)}"' in html  # signed out


def test_related_products_are_the_recommended_ones_else_the_same_franchise(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    related = page(client, pin).split('id="related-title"')[1]
    assert "Cheeky Pink-Haired Anime Girl Vinyl Sticker" in related  # same franchise
    assert "Mika Hoshino" not in related

    mika = product("PIN-MIKA-HOSHINO")
    ProductRecommendation.objects.create(primary=pin, recommendation=mika, ranking=1)
    pin.save()  # a dashboard edit saves the product
    related = page(client, pin).split('id="related-title"')[1]
    assert "Mika Hoshino Idol Hard Enamel Pin" in related
    assert "Vinyl Sticker" not in related


def related_titles(client, item) -> list[str]:
    related = page(client, item).split('id="related-title"')[1]
    return re.findall(r'<h3 class="product-card__title"><a href="[^"]*">([^<]*)</a>', related)


def test_related_products_are_the_four_newest_of_the_franchise_without_recommendations(client):
    series = FranchiseFactory()
    pin = merch("Series Pin", franchise=series)
    for n in range(6):
        merch(f"Series Sticker {n}", franchise=series)
    merch("Hidden Sticker", franchise=series, is_public=False)
    merch("Other Series Sticker", franchise=FranchiseFactory())

    assert related_titles(client, pin) == [f"Series Sticker {n}" for n in (5, 4, 3, 2)]


def test_recommendations_show_by_ranking_in_place_of_the_franchise(client):
    series = FranchiseFactory()
    pin = merch("Series Pin", franchise=series)
    merch("Series Sticker", franchise=series)
    low, high, unranked = (merch(f"{name} Keychain") for name in ("Low", "High", "Unranked"))
    for item, ranking in ((low, 1), (high, 9), (unranked, 0)):
        ProductRecommendation.objects.create(primary=pin, recommendation=item, ranking=ranking)

    assert related_titles(client, pin) == ["High Keychain", "Low Keychain", "Unranked Keychain"]


# --- What search engines and link previews see ---------------------------------------------


def test_json_ld_has_product_offer_and_breadcrumbs_and_flips_to_out_of_stock(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    graph = json_ld(page(client, pin))
    item = node(graph, "Product")
    assert item["name"] == "Cheeky Pink-Haired Anime Girl Enamel Pin"
    assert item["sku"] == CHEEKY_PINK_PIN
    assert item["brand"]["name"] == "Pin Senpai Originals"
    assert item["description"].startswith("A pink-haired girl caught mid-wink")
    assert "<" not in item["description"]
    assert item["image"][0].startswith("http://testserver/media/")
    offer = item["offers"]
    assert offer["@type"] == "Offer"
    assert (offer["price"], offer["priceCurrency"]) == ("12.00", "USD")
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == f"http://testserver{pin.get_absolute_url()}"
    names = [e["name"] for e in node(graph, "BreadcrumbList")["itemListElement"]]
    assert names == ["Home", "Enamel pins", "Hard enamel pins", pin.title]
    assert "aggregateRating" not in item

    StockRecord.objects.filter(product=pin).update(num_in_stock=0)
    offer = node(json_ld(page(client, pin)), "Product")["offers"]
    assert offer["availability"] == "https://schema.org/OutOfStock"


def test_aggregate_rating_appears_only_with_approved_reviews(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    review(pin, score=2, approved=False)
    assert "aggregateRating" not in node(json_ld(page(client, pin)), "Product")
    review(pin, score=5)
    review(pin, score=4)
    rating = node(json_ld(page(client, pin)), "Product")["aggregateRating"]
    assert rating["ratingValue"] == 4.5
    assert rating["reviewCount"] == 2


def test_a_title_cannot_break_out_of_the_json_ld_script(client, db):
    item = merch("Pin </script><script>alert(1)</script>")
    html = page(client, item)
    assert "<script>alert(1)" not in html
    assert node(json_ld(html), "Product")["name"] == "Pin </script><script>alert(1)</script>"


def test_canonical_open_graph_and_twitter_meta(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    html = page(client, pin)
    url = f"http://testserver{pin.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Cheeky Pink-Haired Anime Girl Enamel Pin">' in html
    assert re.search(
        r'<meta property="og:image" content="http://testserver/media/[^"]+\.jpg">', html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert re.search(r'<meta name="description" content="A pink-haired girl[^"]*">', html)


# --- Content warnings ----------------------------------------------------------------------


def withheld_parts(item) -> list[str]:
    """Text and file names that reveal what a mature product shows."""
    image = item.images.first()
    return ["Violence and blood", image.original.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]]


def test_mature_description_and_image_stay_out_of_the_page_until_the_shopper_opts_in(
    client, demo_shop
):
    duel = product(RONIN_DUEL)
    description = re.sub(r"<[^>]+>", "", duel.description).split(".")[0]
    html = page(client, duel)
    assert "Violence and blood" in html  # the badge says why
    assert description not in html
    assert "<picture>" not in html.split('class="product-page__gallery"')[1].split("</div>")[0]
    assert "og:image" not in html and "og:description" not in html
    item = node(json_ld(html), "Product")
    assert "description" not in item and "image" not in item
    thumbnail_names = re.findall(r"/media/cache/[^\" ]+", html.split('id="related-title"')[0])
    assert thumbnail_names == []

    consent(client, shows_mature=True)
    html = page(client, duel)
    assert description in html
    assert "<picture>" in html
    assert node(json_ld(html), "Product")["description"].startswith(description)


def test_adult_product_is_not_offered_for_the_basket_until_18_is_confirmed(client, demo_shop):
    onsen = product(TSUBAKI_ONSEN)
    assert 'id="add_to_basket_form"' not in page(client, onsen)
    consent(client, shows_mature=True)
    html = page(client, onsen)
    assert 'id="add_to_basket_form"' not in html
    assert reverse("catalogue:confirm-adult") in html  # the partial's 18+ form
    consent(client, shows_mature=True, is_adult_confirmed=True)
    assert 'id="add_to_basket_form"' in page(client, onsen)


# --- Query budget --------------------------------------------------------------------------


def queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def rich_product():
    """A parent with three variants, three images, attributes, reviews and recommendations."""
    franchise = FranchiseFactory()
    parent = create_product(
        title="Prism Heart Compact Pin",
        structure="parent",
        product_class="Compact pin",
        attributes={"size_mm": 40, "plating": "Gold", "backing": "Rubber clutch"},
        franchise=franchise,
    )
    for n in range(3):
        create_product(title=f"Variant {n}", parent=parent, price="10.00", num_in_stock=n + 1)
        add_image(parent, order=n)
        review(parent, score=4 + n % 2)
    for n in range(5):
        other = merch(f"Prism Heart Sticker {n}", franchise=franchise, product_class="Sticker")
        ProductRecommendation.objects.create(primary=parent, recommendation=other, ranking=n)
    return Product.objects.get(pk=parent.pk)


@pytest.mark.parametrize("with_basket", [False, True], ids=["anonymous", "with-basket"])
def test_product_page_runs_the_same_few_queries_whatever_the_catalogue_size(
    client, demo_shop, with_basket
):
    pin = product(CHEEKY_PINK_PIN)
    if with_basket:
        client.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 1})
    counts = {}
    for label, extra in [("small", 10), ("large", 190)]:
        add_synthetic_products(extra)
        cache.clear()  # cold: the page parts are read from the database again
        cold = queries(client, pin.get_absolute_url())
        assert len(cold) <= QUERY_BUDGET, "\n".join(cold)
        counts[label] = len(queries(client, pin.get_absolute_url()))
    rich = rich_product()
    cold = queries(client, rich.get_absolute_url())
    assert len(cold) <= QUERY_BUDGET, "\n".join(cold)
    counts["rich"] = len(queries(client, rich.get_absolute_url()))
    assert counts["small"] == counts["large"] == counts["rich"] <= QUERY_BUDGET, counts


@commits
def test_a_renamed_category_shows_in_the_breadcrumbs_at_once(client, demo_shop):
    pin = product(CHEEKY_PINK_PIN)
    assert "Hard enamel pins</a>" in page(client, pin)  # the page's parts are now cached
    category = Category.objects.get(name="Hard enamel pins")
    category.name = "Hard enamel"
    category.save()
    html = page(client, pin)
    assert "Hard enamel</a>" in html and "Hard enamel pins</a>" not in html
