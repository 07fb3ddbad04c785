"""A product page lists the live articles that feature it, newest first, in one query."""

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from blog.services import save_post
from tests.blog.conftest import html, write_post
from tests.factories import merch

pytestmark = pytest.mark.django_db


def featured_in(client, product) -> str:
    page = html(client, product.get_absolute_url())
    return (
        page.split('id="featured-in-title"')[1].split("</section>")[0]
        if "featured-in-title" in page
        else ""
    )


def test_product_page_lists_live_articles_that_feature_it_newest_first(client, db):
    pin = merch("Cheeky Pin", upc="PIN-CHEEKY")
    now = timezone.now()
    write_post(
        "Older guide", body="[[product:PIN-CHEEKY]]", published_at=now - dt.timedelta(days=9)
    )
    write_post(
        "Newer guide",
        body=f"A [link]({pin.get_absolute_url()}).",
        published_at=now - dt.timedelta(days=1),
    )
    write_post("Draft guide", body="[[product:PIN-CHEEKY]]", status=Post.Status.DRAFT)
    write_post(
        "Future guide", body="[[product:PIN-CHEEKY]]", published_at=now + dt.timedelta(days=1)
    )
    write_post("Other guide", body="No products here.")

    section = featured_in(client, pin)
    assert "Featured in" in html(client, pin.get_absolute_url())
    assert section.index("Newer guide") < section.index("Older guide")
    for absent in ("Draft guide", "Future guide", "Other guide"):
        assert absent not in section


def test_featured_in_updates_when_a_link_is_added_or_removed(client, db):
    pin = merch("Cheeky Pin", upc="PIN-CHEEKY")
    post = write_post("Pin care", body="Nothing linked yet.")
    assert "Pin care" not in featured_in(client, pin)

    post.body = f"Clean [this pin]({pin.get_absolute_url()}) with a soft cloth."
    save_post(post)
    assert "Pin care" in featured_in(client, pin)

    post.body = "Clean pins with a soft cloth."
    save_post(post)
    assert "Pin care" not in featured_in(client, pin)


def test_a_product_without_articles_has_no_featured_in_section(client, db):
    pin = merch("Lonely Pin")
    assert 'id="featured-in-title"' not in html(client, pin.get_absolute_url())


def test_featured_in_costs_one_query_and_the_product_page_the_same_for_0_or_3_articles(client, db):
    pin = merch("Cheeky Pin", upc="PIN-CHEEKY")
    other = merch("Quiet Pin", upc="PIN-QUIET")
    for n in range(3):
        write_post(f"Guide {n}", body="[[product:PIN-CHEEKY]]")

    with CaptureQueriesContext(connection) as tag_queries:
        rendered = Template("{% load blog_tags %}{% featured_in product %}").render(
            Context({"product": pin})
        )
    assert "Guide 2" in rendered
    assert len(tag_queries) == 1

    counts = {}
    for item in (pin, other, pin, other):  # the second round reads warm page caches
        with CaptureQueriesContext(connection) as page_queries:
            html(client, item.get_absolute_url())
        counts[item.upc] = len(page_queries)
    assert counts["PIN-CHEEKY"] == counts["PIN-QUIET"] <= 12, counts
