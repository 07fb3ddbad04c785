"""A post whose body is mostly spoilers: none of the hidden words reach any text shown outside the
article body — meta, Open Graph, Twitter, JSON-LD, the contents list, feeds, listings, search,
related articles and "Featured in"."""

import pytest
from django.core import mail

from blog.services import PublishError, publish
from tests.blog.conftest import html, write_post
from tests.factories import merch

pytestmark = pytest.mark.django_db

HIDDEN = ("Shirogane", "betrays", "lighthouse", "Kurogane")
SPOILER_BODY = """Kaguya Pins season two, episode by episode.

## Before the finale

Nothing is safe: ||Shirogane betrays the council||.

:::spoiler Episode 12
## The lighthouse

Kurogane was the lighthouse keeper. ||Shirogane|| knew.

[[product:PIN-KAGUYA]]
:::

:::spoiler
Shirogane betrays everyone at the lighthouse; Kurogane survives.
:::

## Where to find the pins
"""


@pytest.fixture
def spoiler_post(db):
    merch("Kaguya Pin", upc="PIN-KAGUYA")
    return write_post(
        "Kaguya Pins season two",
        body=SPOILER_BODY,
        summary="Where season two leaves the council, and the pins it inspired.",
        tags=("kaguya",),
    )


def assert_hidden(text, where):
    for word in HIDDEN:
        assert word not in text, f"{word!r} leaks in {where}"


def test_article_head_summary_and_contents_hold_no_spoiler(client, spoiler_post):
    page = html(client, spoiler_post.get_absolute_url())
    before_body, body = page.split('<div class="article__body">')

    assert '<meta name="description"' in before_body and "og:description" in before_body
    assert "application/ld+json" in before_body
    assert "Before the finale" in before_body and "Where to find the pins" in before_body
    assert_hidden(before_body, "the article's head, summary and contents")
    assert '<details class="spoiler">' in body and "Shirogane" in body  # for readers who reveal it


def test_feeds_listings_and_search_hold_no_spoiler(client, spoiler_post):
    for url in ("/blog/feed/", "/blog/feed/atom/", "/blog/", "/blog/tag/kaguya/", "/sitemap.xml"):
        page = html(client, url)
        assert "Kaguya Pins season two" in page or url == "/sitemap.xml"
        assert_hidden(page, url)
    results = html(client, "/search/?q=season+two")
    assert "Kaguya Pins season two" in results
    assert_hidden(results, "search results")


def test_related_articles_and_featured_in_hold_no_spoiler(client, spoiler_post):
    other = write_post("Kaguya pin care", body="Polish gently.", tags=("kaguya",))
    related = html(client, other.get_absolute_url())
    product_page = html(client, spoiler_post.products.get().get_absolute_url())

    assert "Kaguya Pins season two" in related and "Kaguya Pins season two" in product_page
    assert_hidden(related, "related articles")
    assert_hidden(product_page, "Featured in")
    assert mail.outbox == []  # nothing mails a post; orders' mails carry titles and prices only


def test_spoiler_syntax_in_summary_or_seo_fields_is_refused_at_publication(db):
    post = write_post("Draft", status="draft", summary="The twist: ||she wins||.")

    with pytest.raises(PublishError, match="Spoilers belong in the body"):
        publish(post)


def test_spoiler_syntax_in_an_image_alt_text_in_the_body_is_refused_at_publication(db):
    post = write_post("Draft", status="draft", body="![The ||traitor|| pin](/media/pin.png)")

    with pytest.raises(PublishError, match="Spoilers belong in the body"):
        publish(post)


@pytest.mark.parametrize(
    "faq",
    [
        [("Does ||Shirogane|| win?", "Watch and see.")],
        [("Who wins?", "||Shirogane betrays the council||.")],
        [("Who wins?", "The council.\n\n:::spoiler Episode 12\nShirogane.\n:::")],
    ],
    ids=["question", "inline-answer", "block-answer"],
)
def test_spoiler_syntax_in_a_faq_entry_is_refused_at_publication(db, faq):
    """The FAQ is shown as written (its answer with line breaks) and as FAQPage JSON-LD:
    nothing there can hide a spoiler."""
    post = write_post("Draft", status="draft", faq=faq)

    with pytest.raises(PublishError, match="Spoilers belong in the body"):
        publish(post)
