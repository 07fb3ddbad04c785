"""The public blog: only live posts reach readers; staff preview drafts; scheduling needs no cron."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.blog.conftest import category, html, write_post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def hidden_posts():
    explainers = category()
    draft = write_post("Secret draft", status=Post.Status.DRAFT, tags=["pins"], category=explainers)
    future = write_post(
        "Coming next week",
        published_at=timezone.now() + dt.timedelta(days=7),
        tags=["pins"],
        category=explainers,
    )
    return draft, future


def test_draft_and_future_posts_are_404_for_anonymous_on_every_public_page(client):
    draft, future = hidden_posts()
    for post in (draft, future):
        html(client, post.get_absolute_url(), status=404)
    # A tag or category with no live post has no page either.
    html(client, reverse("blog:tag", kwargs={"slug": "pins"}), status=404)
    html(client, reverse("blog:category", kwargs={"slug": "explainers"}), status=404)

    live = write_post("Live post", tags=["pins"], category=category())
    for url in (
        reverse("blog:index"),
        reverse("blog:tag", kwargs={"slug": "pins"}),
        reverse("blog:category", kwargs={"slug": "explainers"}),
        reverse("blog:feed"),
        reverse("blog:feed-atom"),
    ):
        page = html(client, url)
        assert live.title in page, url
        assert "Secret draft" not in page and "Coming next week" not in page, url


def test_draft_is_404_for_anonymous_and_visible_in_preview_for_staff(client, staff):
    draft, future = hidden_posts()
    for post in (draft, future):
        html(client, reverse("blog:preview", kwargs={"pk": post.pk}), status=404)
    client.force_login(staff.__class__.objects.create_user("shopper", "s@example.com", "x"))
    html(client, reverse("blog:preview", kwargs={"pk": draft.pk}), status=404)

    client.force_login(staff)
    Post.objects.filter(pk=draft.pk).update(author=staff)
    page = html(client, reverse("blog:preview", kwargs={"pk": draft.pk}))
    assert '<h1 class="article__title">Secret draft</h1>' in page
    assert "this post is a draft" in page
    assert 'content="noindex, nofollow"' in page
    byline = re.search(r'<p class="article__byline">(.*?)</p>', page, re.S)[1]
    assert "· ·" not in " ".join(byline.split())  # no date yet: one separator, not two
    assert "scheduled for" in html(client, reverse("blog:preview", kwargs={"pk": future.pk}))
    html(client, draft.get_absolute_url(), status=404)  # staff read drafts through preview only


def test_a_post_scheduled_for_tomorrow_appears_once_the_clock_passes_it(client):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    post = write_post("Tomorrow's explainer", published_at=tomorrow)
    html(client, post.get_absolute_url(), status=404)
    assert "Tomorrow&#x27;s explainer" not in html(client, reverse("blog:index"))

    with mock.patch("django.utils.timezone.now", return_value=tomorrow + dt.timedelta(minutes=1)):
        assert "Tomorrow&#x27;s explainer" in html(client, post.get_absolute_url())
        assert "Tomorrow&#x27;s explainer" in html(client, reverse("blog:index"))
        feed = ET.fromstring(client.get(reverse("blog:feed")).content)
        assert "Tomorrow's explainer" in [t.text for t in feed.iter("title")]


def test_index_lists_newest_first_and_pages_through_older_posts(client):
    now = timezone.now()
    for n in range(14):
        write_post(f"Explainer {n:02}", published_at=now - dt.timedelta(days=n + 1))
    first = html(client, reverse("blog:index"))
    assert first.index("Explainer 00") < first.index("Explainer 01") < first.index("Explainer 11")
    assert "Explainer 12" not in first
    assert 'rel="next" href="?page=2"' in first
    second = html(client, reverse("blog:index") + "?page=2")
    assert "Explainer 12" in second and "Explainer 13" in second
    assert "Explainer 00" not in second


def test_tag_and_category_pages_list_only_their_posts(client):
    write_post("About pins", tags=["pins"], category=category("Guides"))
    write_post("About NTR", tags=["anime-terms"], category=category("Explainers"))
    tag_page = html(client, reverse("blog:tag", kwargs={"slug": "pins"}))
    assert "About pins" in tag_page and "About NTR" not in tag_page
    category_page = html(client, reverse("blog:category", kwargs={"slug": "explainers"}))
    assert "About NTR" in category_page and "About pins" not in category_page


def test_article_links_previous_next_and_related_live_posts(client):
    now = timezone.now()
    older = write_post("Older pins post", published_at=now - dt.timedelta(days=3), tags=["pins"])
    post = write_post("Middle post", published_at=now - dt.timedelta(days=2), tags=["pins"])
    newer = write_post("Newer post", published_at=now - dt.timedelta(days=1), tags=["stickers"])
    write_post("Unrelated draft", status=Post.Status.DRAFT, tags=["pins"])

    page = html(client, post.get_absolute_url())
    assert f'rel="prev" href="{older.get_absolute_url()}"' in page
    assert f'rel="next" href="{newer.get_absolute_url()}"' in page
    related = page.split('id="related-title"')[1]
    assert "Older pins post" in related
    assert "Newer post" not in related and "Unrelated draft" not in related
    assert 'rel="prev"' not in html(client, older.get_absolute_url())


def test_article_shows_author_dates_reading_time_toc_faq_tags_and_category(client, staff):
    staff.first_name, staff.last_name = "Aiko", "Tanaka"
    staff.save()
    post = write_post(
        "What does NTR mean?",
        body="# What NTR is\n\nWords.\n\n# How it differs from ecchi\n\nMore words.",
        tags=["anime-terms"],
        category=category(),
        faq=[("Is NTR the same as ecchi?", "No.")],
        author=staff,
    )
    page = html(client, post.get_absolute_url())
    assert "By Aiko Tanaka" in page
    assert "1 min read" in page
    assert '<a href="#what-ntr-is">What NTR is</a>' in page
    assert '<a href="#how-it-differs-from-ecchi">' in page
    assert "<summary>Is NTR the same as ecchi?</summary>" in page
    assert f'href="{reverse("blog:tag", kwargs={"slug": "anime-terms"})}" rel="tag"' in page
    assert f'href="{reverse("blog:category", kwargs={"slug": "explainers"})}"' in page


def test_feeds_parse_as_xml_and_list_live_posts_with_their_summary(client):
    hidden_posts()
    write_post("Live post", summary="The short version.", body="The long body text.")
    rss = ET.fromstring(client.get(reverse("blog:feed")).content)
    items = rss.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["Live post"]
    assert items[0].findtext("description") == "The short version."
    assert items[0].findtext("link").endswith("/blog/live-post/")

    atom = ET.fromstring(client.get(reverse("blog:feed-atom")).content)
    entries = atom.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Live post"]
    assert "long body text" not in client.get(reverse("blog:feed-atom")).content.decode()


def test_sitemap_lists_live_posts_only(client):
    hidden_posts()
    live = write_post("Live post")
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-posts.xml" in index
    posts = client.get("/sitemap-posts.xml").content.decode()
    ET.fromstring(posts)
    assert live.get_absolute_url() in posts
    assert "secret-draft" not in posts and "coming-next-week" not in posts
