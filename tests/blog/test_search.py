"""/search/ lists live articles that match the query above the products, in one query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from blog.selectors import matching_articles
from tests.blog.conftest import html, write_post

pytestmark = pytest.mark.django_db


def articles_section(page: str) -> str:
    if 'id="search-section-articles"' not in page:
        return ""
    return page.split('id="search-section-articles"')[1].split("</section>")[0]


def test_search_lists_matching_live_articles(client):
    write_post(
        "What does NTR mean?",
        summary="A story theme, explained.",
        body="Netorare, or NTR, is a theme.",
    )
    write_post("Caring for pins", body="Wipe them with a soft cloth; NTR never comes up.")
    write_post("NTR draft", status=Post.Status.DRAFT)
    write_post("NTR next week", published_at=timezone.now() + dt.timedelta(days=7))
    write_post("Stickers", body="Nothing to see.")

    section = articles_section(html(client, "/search/?q=ntr"))
    assert "What does NTR mean?" in section and "A story theme, explained." in section
    assert "Caring for pins" in section  # found in the body
    for absent in ("NTR draft", "NTR next week", "Stickers"):
        assert absent not in section
    assert articles_section(html(client, "/search/?q=zzzz")) == ""


def test_article_search_is_one_query_and_at_most_five_results(db):
    for n in range(7):
        write_post(f"Pin guide {n}")
    with CaptureQueriesContext(connection) as captured:
        found = matching_articles("pin guide", 5)
    assert len(found) == 5
    assert len(captured) == 1


def test_a_word_only_a_spoiler_holds_finds_no_article(client):
    write_post(
        "Kaguya season two",
        summary="Where the council ends up.",
        body="The council meets.\n\n||Shirogane resigns||.\n\n:::spoiler Episode 12\n"
        "The lighthouse burns.\n:::",
    )

    for hidden in ("shirogane", "lighthouse", "resigns"):
        assert matching_articles(hidden, 5) == []
    section = articles_section(html(client, "/search/?q=council"))
    assert "Kaguya season two" in section
    assert "Shirogane" not in section and "lighthouse" not in section
