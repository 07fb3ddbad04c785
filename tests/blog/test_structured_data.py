"""What search engines and link previews read from an article: one JSON-LD graph (Article with
mentions, FAQPage, BreadcrumbList), Open Graph and Twitter meta, the canonical URL and title."""

import io
import json
import re

import pytest
from django.core.files.base import ContentFile
from oscar.core.loading import get_model
from PIL import Image

from tests.blog.conftest import category, html, write_post
from tests.factories import merch

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


def json_ld(page: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1, "one JSON-LD graph per article"
    return json.loads(scripts[0])


def node(graph: dict, type_: str) -> dict | None:
    return next((n for n in graph["@graph"] if n["@type"] == type_), None)


def hero(name="hero.png") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (200, 80, 150)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


@pytest.fixture
def article(staff):
    staff.first_name, staff.last_name = "Aiko", "Tanaka"
    staff.save()
    merch("Cheeky Pin", upc="PIN-CHEEKY")
    merch("Fox Sticker", upc="STK-FOX")
    post = write_post(
        "What does NTR mean?",
        summary="A spoiler-free explainer.",
        body="[[product:PIN-CHEEKY]]\n\n[[products:STK-FOX, PIN-CHEEKY]]",
        category=category(),
        faq=[("Is NTR ecchi?", "No."), ("Why label it?", "Many fans avoid it.")],
        author=staff,
        seo_title="NTR meaning, explained",
        seo_description="What NTR means in anime, in two minutes.",
        hero_alt="A winking anime girl pin",
    )
    post.hero_image.save("hero.png", hero())
    return post


def test_json_ld_has_article_with_mentions_faq_and_breadcrumbs(client, article):
    graph = json_ld(html(client, article.get_absolute_url()))
    url = "http://testserver" + article.get_absolute_url()
    node_article = node(graph, "Article")
    assert node_article["headline"] == "What does NTR mean?"
    assert node_article["mainEntityOfPage"] == url
    assert node_article["author"] == {"@type": "Person", "name": "Aiko Tanaka"}
    assert node_article["datePublished"] and node_article["dateModified"]
    assert node_article["image"][0].startswith("http://testserver/")
    pin, sticker = (merch_product("PIN-CHEEKY"), merch_product("STK-FOX"))
    # The same @id as the product page's Product node (catalogue.structured_data).
    assert node_article["mentions"] == [
        {"@type": "Product", "@id": f"http://testserver{pin.get_absolute_url()}#product"},
        {"@type": "Product", "@id": f"http://testserver{sticker.get_absolute_url()}#product"},
    ]
    faq = node(graph, "FAQPage")
    assert [q["name"] for q in faq["mainEntity"]] == ["Is NTR ecchi?", "Why label it?"]
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == "No."
    crumbs = node(graph, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Blog", "Explainers", "What does NTR mean?"]
    assert crumbs[-1]["item"] == url


def merch_product(upc):
    return Product.objects.get(upc=upc)


def test_mentioned_product_id_matches_the_product_pages_own_id(client, article):
    pin = merch_product("PIN-CHEEKY")
    product_graph = json_ld(html(client, pin.get_absolute_url()))
    article_graph = json_ld(html(client, article.get_absolute_url()))
    assert (
        node(product_graph, "Product")["@id"]
        == node(article_graph, "Article")["mentions"][0]["@id"]
    )


def test_title_meta_open_graph_twitter_and_canonical(client, article):
    page = html(client, article.get_absolute_url())
    url = "http://testserver" + article.get_absolute_url()
    assert "<title>NTR meaning, explained | " in page
    assert '<meta name="description" content="What NTR means in anime, in two minutes.">' in page
    assert f'<link rel="canonical" href="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:image" content="http://testserver/' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_a_post_without_faq_has_no_faqpage_and_summary_is_the_description(client, db):
    post = write_post("Pin care", summary="Keep them shiny.")
    page = html(client, post.get_absolute_url())
    graph = json_ld(page)
    assert node(graph, "FAQPage") is None
    assert "mentions" not in node(graph, "Article")
    assert '<meta name="description" content="Keep them shiny.">' in page
    assert "<title>Pin care | " in page


def test_a_title_cannot_break_out_of_the_json_ld_script(client, db):
    post = write_post("Pins </script><script>alert(1)</script>", slug="pins-breakout")
    page = html(client, post.get_absolute_url())
    assert "<script>alert(1)" not in page
    assert node(json_ld(page), "Article")["headline"] == "Pins </script><script>alert(1)</script>"
