"""The site-wide layout: the shop's name and navigation on every page, and nothing loaded from a CDN."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/catalogue/", "/blog/", "/basket/", "/search/?q=pin"])
def test_every_page_has_the_shop_name_and_navigation(client, demo_shop, url):
    page = client.get(url).content.decode()
    assert "Pin Senpai" in page
    nav = page.split('class="site-nav"')[1].split("</nav>")[0]
    # Each link's name is its label (shown beside an icon, or only to screen readers on a phone).
    labels = re.findall(r'<span class="site-nav__label">(\w+)</span>', nav)
    assert labels[:6] == ["Shop", "Blog", "Glossary", "Search", "Basket", "Account"]


@pytest.mark.parametrize("url", ["/", "/catalogue/", "/accounts/login/", "/dashboard/login/"])
def test_pages_load_scripts_and_styles_only_from_this_site(client, demo_shop, url):
    page = client.get(url).content.decode()
    external = re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', page)
    assert external == []
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', page):
        assert finders.find(asset), f"{asset} is referenced but not served"


def test_the_shop_stylesheet_is_loaded(client, demo_shop):
    page = client.get("/").content.decode()
    assert "/static/shop/css/shop.css" in page
