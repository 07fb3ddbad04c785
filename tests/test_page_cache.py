"""Whole pages cached for shoppers who are not signed in (shop.pagecache): fast, and never stale."""

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from blog.services import save_post
from tests.commits import commits
from tests.factories import merch
from tests.shopping import add_to_basket

StockRecord = get_model("partner", "StockRecord")
Post = get_model("blog", "Post")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@pytest.fixture
def pin(db):
    return merch("Cache Test Pin", price="12.00", stock=5)


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def csrf_token(response) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)[1].decode()


def test_the_second_visit_is_served_from_the_cache(client, pin):
    first, cold = get(client, pin.get_absolute_url())
    second, warm = get(client, pin.get_absolute_url())

    assert "X-Page-Cache" not in first
    assert second["X-Page-Cache"] == "hit"
    assert warm < cold and warm <= 1
    assert b"Cache Test Pin" in second.content and b"$12.00" in second.content


def test_each_visitor_gets_their_own_working_csrf_token(pin):
    Client().get(pin.get_absolute_url())  # someone else filled the cache
    shopper = Client(enforce_csrf_checks=True)
    page = shopper.get(pin.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"

    added = shopper.post(
        reverse("basket:add", kwargs={"pk": pin.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": csrf_token(page)},
    )

    assert added.status_code == 302  # not 403: the token fits this visitor's cookie
    assert shopper.get(reverse("basket:summary")).context["basket"].num_items == 1


@pytest.mark.parametrize("url", ["catalogue:index", "detail"])
@commits
def test_a_price_change_shows_on_the_next_request(client, pin, url):
    url = pin.get_absolute_url() if url == "detail" else reverse(url)
    get(client, url)
    get(client, url)
    stock = StockRecord.objects.get(product=pin)
    stock.price = Decimal("9.50")
    stock.save()

    page, _count = get(client, url)

    assert "X-Page-Cache" not in page
    assert b"$9.50" in page.content and b"$12.00" not in page.content


@commits
def test_the_last_unit_selling_shows_sold_out_on_the_next_request(client, pin):
    get(client, pin.get_absolute_url())
    stock = StockRecord.objects.get(product=pin)
    stock.num_allocated = 5
    stock.save()

    page, _count = get(client, pin.get_absolute_url())

    assert b"Sold out" in page.content


@commits
def test_a_scheduled_post_appears_once_its_time_comes(client):
    post = Post(
        title="Soon on the blog",
        slug="soon-on-the-blog",
        summary="It goes live tomorrow.",
        body="Coming up.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=1),
    )
    save_post(post)
    assert b"Soon on the blog" not in get(client, reverse("blog:index"))[0].content
    assert get(client, reverse("blog:index"))[0]["X-Page-Cache"] == "hit"

    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page, _count = get(client, reverse("blog:index"))

    assert b"Soon on the blog" in page.content


def test_the_basket_count_and_messages_are_the_visitors_own(client, pin):
    get(client, reverse("catalogue:index"))  # cached with an empty basket
    client.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 2})

    page, _count = get(client, reverse("catalogue:index"))
    assert "X-Page-Cache" not in page  # a message is waiting: rendered for this visitor
    assert b"Your basket total is now" in page.content
    again, _count = get(client, reverse("catalogue:index"))
    assert re.search(rb'aria-label="2 items">2<', again.content)
    assert b"Your basket total is now" not in again.content


def test_signed_in_shoppers_are_never_served_a_cached_page(client, pin, django_user_model):
    get(client, pin.get_absolute_url())
    get(client, pin.get_absolute_url())
    client.force_login(django_user_model.objects.create_user("kaito", "kaito@example.com", "pw"))

    page, _count = get(client, pin.get_absolute_url())

    assert "X-Page-Cache" not in page


def test_a_content_choice_gets_its_own_page(client):
    from tests.factories import ContentWarningFactory

    item = merch("Duel Print", warnings=[ContentWarningFactory(slug="gore", level=2)])
    assert b"Show it" in get(client, item.get_absolute_url())[0].content
    client.post(
        reverse("catalogue:content-consent"), {"shows_mature": "1", "next": item.get_absolute_url()}
    )
    client.get(item.get_absolute_url())  # the page that shows the "saved" message, if any

    page, _count = get(client, item.get_absolute_url())
    assert b"Show it" not in page.content
    assert b"Hide mature content again" in page.content


def test_a_cached_article_follows_the_choice_made_on_a_product(client):
    from tests.blog.conftest import write_post
    from tests.factories import ContentWarningFactory

    ntr = ContentWarningFactory(slug="ntr", name="NTR", level=2)
    post = write_post("What does NTR mean?", body="Netorare names a story theme.", warnings=[ntr])
    duel = merch("Duel Print", warnings=[ntr])
    get(client, post.get_absolute_url())
    screen, _count = get(client, post.get_absolute_url())
    assert screen["X-Page-Cache"] == "hit" and b"Netorare names" not in screen.content

    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1", "next": "/"})
    client.get(duel.get_absolute_url())

    article, _count = get(client, post.get_absolute_url())
    assert b"Netorare names a story theme." in article.content


def test_article_and_campaign_parameters_share_the_page(client, pin):
    get(client, pin.get_absolute_url() + "?from=what-does-ntr-mean")

    from_another_article, _count = get(client, pin.get_absolute_url() + "?from=pin-care")
    from_a_newsletter, _count = get(client, pin.get_absolute_url() + "?utm_source=newsletter")
    plain, _count = get(client, pin.get_absolute_url())

    for page in (from_another_article, from_a_newsletter, plain):
        assert page["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in get(client, pin.get_absolute_url() + "?page=2")[0]


def test_switched_off_nothing_is_cached(client, pin, settings):
    settings.SHOP_PAGE_CACHE = False
    get(client, pin.get_absolute_url())
    assert "X-Page-Cache" not in get(client, pin.get_absolute_url())[0]


def test_a_cached_page_replayed_twice_is_allowed_by_the_policy_sent_with_it(client, pin):
    from tests.security.conftest import directives, nonce_of

    responses = [get(client, pin.get_absolute_url())[0] for _ in range(3)]

    assert [r.get("X-Page-Cache") for r in responses] == [None, "hit", "hit"]
    for response in responses:
        assert "'unsafe-inline'" not in directives(response)["script-src"]
        assert nonce_of(response) is None  # the page has nothing inline a nonce would allow
        assert b"<script>" not in response.content and b"nonce=" not in response.content


def test_a_page_that_used_a_nonce_is_never_stored(client, pin, monkeypatch):
    from shop.pagecache import middleware
    from tests.security.conftest import nonce_of

    # The checkout's first page runs Oscar's inline set-up script; were it a cached page kind,
    # its body would carry the nonce of its first visitor's header.
    monkeypatch.setattr(middleware, "CACHED_VIEWS", middleware.CACHED_VIEWS | {"checkout:index"})
    add_to_basket(client, pin)
    for _ in range(2):
        response = client.get(reverse("checkout:index"))
        assert response.status_code == 200
        nonce = nonce_of(response)
        assert "X-Page-Cache" not in response
        assert nonce and f'nonce="{nonce}"'.encode() in response.content
