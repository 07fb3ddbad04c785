"""The header is rendered once per process for what it shows (shop.templatetags.remembered), yet
every page still shows its own current link, search words, basket count and account link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shop.templatetags import remembered
from tests.factories import merch
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_remembered():
    remembered.forget()
    yield
    remembered.forget()


def header(client, url) -> str:
    page = client.get(url).content.decode()
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def current_link(header_html: str) -> str | None:
    found = re.search(r'<a href="([^"]*)" aria-current="page">', header_html)
    return found and found.group(1)


def test_each_page_marks_its_own_section_in_the_remembered_header(client):
    assert current_link(header(client, reverse("basket:summary"))) == reverse("basket:summary")
    assert current_link(header(client, reverse("catalogue:index"))) == reverse("catalogue:index")
    assert current_link(header(client, reverse("blog:index"))) == reverse("blog:index")
    assert current_link(header(client, reverse("basket:summary"))) == reverse("basket:summary")


def test_the_search_box_shows_each_searchs_own_words(client):
    assert 'value="pins &amp; stickers"' in header(client, "/search/?q=pins+%26+stickers")
    assert 'value="keychain"' in header(client, "/search/?q=keychain")
    assert 'name="q" value=""' in header(client, reverse("blog:index"))


def test_the_basket_count_follows_the_basket(client):
    pin = merch("Counted Pin", price="10.00", stock=9)
    assert "badge" not in header(client, reverse("blog:index"))
    add_to_basket(client, pin)
    assert 'aria-label="1 item"' in header(client, reverse("blog:index"))
    add_to_basket(client, pin)
    assert 'aria-label="2 items"' in header(client, reverse("blog:index"))


def test_a_signed_in_shopper_gets_their_account_link_and_a_guest_the_login(client):
    assert f'href="{reverse("customer:login")}"' in header(client, reverse("blog:index"))
    client.force_login(get_user_model().objects.create_user("ren", "ren@example.com", "x" * 16))
    shown = header(client, reverse("blog:index"))
    assert f'href="{reverse("customer:summary")}"' in shown
    assert reverse("customer:login") not in shown
