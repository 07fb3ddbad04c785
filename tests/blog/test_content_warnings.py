"""Posts behind a mature content warning: a warning screen first, the body only after the reader
chooses to see mature content — the same choice as on products (catalogue.consent), for the
session; meta, Open Graph and feeds stay summary-only."""

import html as html_lib
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from tests.blog.conftest import html, write_post
from tests.factories import ContentWarningFactory, merch

pytestmark = pytest.mark.django_db

BODY_TEXT = "netorare names a story theme"
CONTINUE = "Continue to the article"


@pytest.fixture
def ntr():
    return ContentWarningFactory(
        slug="ntr",
        name="NTR (netorare)",
        explanation="A story theme of romantic betrayal.",
        level=2,
    )


@pytest.fixture
def warned_post(ntr):
    merch("Cheeky Pin", upc="PIN-CHEEKY")
    return write_post(
        "What does NTR mean?",
        summary="A short, spoiler-free explainer.",
        body=f"# What NTR is\n\nIn short, {BODY_TEXT}.\n\n[[product:PIN-CHEEKY]]\n",
        warnings=[ntr],
        faq=[("Is it the same as ecchi?", "No, ecchi is about fan service.")],
    )


def meta(page: str, attribute: str, name: str) -> str:
    return re.search(rf'<meta {attribute}="{name}" content="([^"]*)"', page).group(1)


def submit(client, page: str, button: str):
    """Press the page's button with this label: post its form as a browser would."""
    form = next(f for f in re.findall(r"<form.*?</form>", page, re.S) if button in f)
    action = html_lib.unescape(re.search(r'action="([^"]*)"', form).group(1))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return client.post(action, {k: html_lib.unescape(v) for k, v in fields.items()})


def continue_reading(client, post):
    return submit(client, html(client, post.get_absolute_url()), CONTINUE)


def test_warning_screen_keeps_body_cards_and_faq_out_until_the_reader_continues(
    client, warned_post
):
    page = html(client, warned_post.get_absolute_url())
    assert "NTR (netorare)" in page and "A story theme of romantic betrayal." in page
    assert CONTINUE in page
    for hidden in (BODY_TEXT, "Cheeky Pin", "Is it the same as ecchi?", "What NTR is"):
        assert hidden not in page, hidden

    response = continue_reading(client, warned_post)
    assert response.status_code == 302
    assert response["Location"] == warned_post.get_absolute_url()
    page = html(client, response["Location"])
    assert BODY_TEXT in page and "Cheeky Pin" in page and "Is it the same as ecchi?" in page
    assert CONTINUE not in page
    assert BODY_TEXT in html(client, warned_post.get_absolute_url())  # remembered


def test_one_choice_opens_every_mature_article_and_product(client, warned_post):
    gore = ContentWarningFactory(slug="gore", name="Gore", level=2)
    other = write_post("A gory explainer", body=f"Also, {BODY_TEXT}.", warnings=[gore])
    duel = merch("Duel Print", warnings=[gore], description="Two ronin cross blades at dusk.")
    assert "Two ronin cross blades" not in html(client, duel.get_absolute_url())

    continue_reading(client, warned_post)

    assert BODY_TEXT in html(client, other.get_absolute_url())
    assert "Two ronin cross blades" in html(client, duel.get_absolute_url())
    assert BODY_TEXT not in html(Client(), warned_post.get_absolute_url())  # a new session


def test_showing_a_mature_product_opens_mature_articles_too(client, warned_post, ntr):
    duel = merch("Duel Print", warnings=[ntr], description="Two ronin cross blades at dusk.")
    submit(client, html(client, duel.get_absolute_url()), "Show it")

    assert BODY_TEXT in html(client, warned_post.get_absolute_url())


def test_the_reader_can_hide_mature_content_again_from_the_article(client, warned_post):
    continue_reading(client, warned_post)
    page = html(client, warned_post.get_absolute_url())

    response = submit(client, page, "Hide mature content again")

    assert response["Location"] == warned_post.get_absolute_url()
    page = html(client, warned_post.get_absolute_url())
    assert CONTINUE in page and BODY_TEXT not in page


def test_an_adult_article_opens_with_the_same_choice(client):
    nudity = ContentWarningFactory(slug="nudity", name="Nudity", level=3)
    post = write_post("Fan service, explained", body=f"Here, {BODY_TEXT}.", warnings=[nudity])
    assert CONTINUE in html(client, post.get_absolute_url())

    continue_reading(client, post)

    assert BODY_TEXT in html(client, post.get_absolute_url())


def test_the_article_page_takes_no_post(client, warned_post):
    assert client.post(warned_post.get_absolute_url()).status_code == 405


def test_meta_open_graph_and_feeds_show_the_summary_and_warning_never_the_body(client, warned_post):
    continue_reading(client, warned_post)  # even once the reader has continued
    page = html(client, warned_post.get_absolute_url())
    expected = "A short, spoiler-free explainer. Content warning: NTR (netorare)."
    assert meta(page, "name", "description") == expected
    assert meta(page, "property", "og:description") == expected
    assert meta(page, "name", "twitter:description") == expected
    head = page.split("</head>")[0]
    assert BODY_TEXT not in head

    for feed in ("blog:feed", "blog:feed-atom"):
        xml = client.get(reverse(feed)).content.decode()
        ET.fromstring(xml)
        assert "A short, spoiler-free explainer. Content warning: NTR (netorare)." in xml
        assert BODY_TEXT not in xml


def test_a_notice_level_warning_shows_a_badge_above_the_body(client):
    spoilers = ContentWarningFactory(slug="spoilers", name="Spoilers", level=1)
    post = write_post("The finale explained", body=f"Yes, {BODY_TEXT}.", warnings=[spoilers])
    page = html(client, post.get_absolute_url())
    assert CONTINUE not in page
    assert "warning-badge--notice" in page
    assert page.index("Spoilers") < page.index(BODY_TEXT)
