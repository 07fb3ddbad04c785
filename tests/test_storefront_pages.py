"""Every public page of the storefront renders with the demo data, and shows what a shopper expects."""

import re

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN, ITEMS
from shop.devtools.demo.seed import DEMO_STAFF
from shop.sitemaps import ProductSitemap
from tests.factories import FranchiseFactory, merch

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

pytestmark = pytest.mark.django_db

CHEEKY_TITLE = "Cheeky Pink-Haired Anime Girl Enamel Pin"


def cheeky_pin():
    return Product.objects.get(upc=CHEEKY_PINK_PIN)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/catalogue/",
        "/search/?q=pin",
        "/basket/",
        "/accounts/login/",
        "/blog/",
        "/robots.txt",
        "/sitemap.xml",
        "/healthz",
        "/offers/",
    ],
)
def test_public_page_renders(client, demo_shop, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url, status", [("/", 200), ("/favicon.ico", 301), ("/healthz", 200), ("/robots.txt", 200)]
)
def test_a_head_request_answers_like_a_get(client, demo_shop, url, status):
    # Uptime monitors and link checkers ask with HEAD.
    response = client.head(url)
    assert response.status_code == client.get(url).status_code == status
    assert response.content == b""


def test_product_and_category_pages_render(client, demo_shop):
    response = client.get(cheeky_pin().get_absolute_url())
    assert response.status_code == 200
    assert CHEEKY_TITLE in response.content.decode()
    assert "$12.00" in response.content.decode()

    stickers = Category.objects.get(depth=1, name="Stickers")
    page = client.get(stickers.get_absolute_url()).content.decode()
    assert "Ramen Night Holographic Sticker" in page
    assert "Enamel Pin</a>" not in page


def test_home_page_shows_new_arrivals_and_categories(client, demo_shop):
    page = client.get("/").content.decode()
    assert "New arrivals" in page
    assert page.count('<article class="product-card') == 8
    for name in ["Enamel pins", "Stickers", "Keychains", "Acrylic stands", "Art prints"]:
        assert f">{name}</a>" in page
    assert '<a href="/catalogue/franchise/cafe-kitsune/">Café Kitsune</a>' in page


def test_home_page_lists_series_with_products_to_sell_most_stocked_first(client):
    big, small, hidden_only, _no_products = (
        FranchiseFactory(name=n) for n in ("Big", "Small", "Hid", "Nil")
    )
    for n in range(3):
        merch(f"Big Pin {n}", franchise=big)
    merch("Small Pin", franchise=small)
    merch("Small Draft Pin", franchise=small, is_public=False)
    merch("Hidden Pin", franchise=hidden_only, is_public=False)
    merch("Hidden Sticker", franchise=hidden_only, is_public=False)

    page = client.get("/").content.decode()

    shown = re.findall(r'<a href="/catalogue/franchise/[^"]+/">([^<]+)</a>', page)
    assert shown == ["Big", "Small"]


def test_catalogue_lists_every_public_product_across_pages(client, demo_shop, settings):
    settings.OSCAR_PRODUCTS_PER_PAGE = 24
    first = client.get("/catalogue/").content.decode()
    second = client.get("/catalogue/?page=2").content.decode()
    assert f"{len(ITEMS)} products" in first
    assert first.count('<article class="product-card') == 24
    assert second.count('<article class="product-card') == len(ITEMS) - 24


def test_catalogue_sorts_by_price(client, demo_shop):
    page = client.get("/catalogue/?sort_by=price-asc").content.decode()
    prices = [float(p) for p in re.findall(r'product-card__price">\s*\$([\d.]+)', page)]
    assert prices == sorted(prices) and prices[0] == 4.0


def test_search_finds_the_cheeky_pink_pin(client, demo_shop):
    page = client.get("/search/", {"q": "pink pin"}).content.decode()
    assert CHEEKY_TITLE in page
    assert "Unit Zeta" not in page


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 10_000},
        {"q": "' OR 1=1; DROP TABLE catalogue_product; --"},
        {"sort_by": "nonsense", "page": "abc"},
        {"page": "99999999999999999999"},
        {"unknown": "key", "q": "%00<script>"},
    ],
)
def test_hostile_query_strings_never_fail(client, demo_shop, query):
    response = client.get("/search/", query, follow=True)
    assert response.status_code == 200
    assert Product.objects.filter(upc=CHEEKY_PINK_PIN).exists()


def test_invalid_page_redirects_to_the_first_page_keeping_the_search(client, demo_shop):
    response = client.get("/search/", {"q": "pin", "page": "50"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=pin"


def test_shopper_adds_to_basket_and_reaches_checkout(client, demo_shop):
    product = cheeky_pin()
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    assert response.status_code == 302
    basket = client.get("/basket/").content.decode()
    assert CHEEKY_TITLE in basket
    assert "$24.00" in basket
    # Guest checkout is allowed: the first step asks for an e-mail address.
    checkout = client.get("/checkout/", follow=True)
    assert checkout.status_code == 200
    assert 'name="username"' in checkout.content.decode()


def test_out_of_stock_product_cannot_be_added(client, demo_shop):
    sold_out = Product.objects.get(upc="PIN-PASTEL-HEART")
    page = client.get(sold_out.get_absolute_url()).content.decode()
    assert "Add to basket" not in page.split('id="content_inner"')[1]


def test_staff_reach_the_dashboard_and_admin(demo_shop, staff_client):
    assert staff_client.get("/dashboard/").status_code == 200
    products = staff_client.get(reverse("dashboard:catalogue-product-list"), {"title": "Cheeky"})
    assert CHEEKY_TITLE in products.content.decode()
    assert staff_client.get(reverse("dashboard:order-list")).status_code == 200
    assert staff_client.get(reverse("admin:index")).status_code == 200


def test_dashboard_and_admin_ask_anonymous_visitors_to_log_in(client, demo_shop):
    assert client.get("/dashboard/")["Location"].startswith("/dashboard/login/")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


def test_account_pages_work_for_a_registered_customer(client, demo_shop):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "fan@example.com",
            "password1": "a-long-pin-password",
            "password2": "a-long-pin-password",
        },
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 302  # /accounts/ → the profile summary
    assert "fan@example.com" in client.get(reverse("customer:profile-view")).content.decode()


def test_robots_txt_points_at_the_sitemap(client, demo_shop):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /checkout/" in body


def test_sitemap_index_points_at_product_category_and_page_sitemaps(client, demo_shop):
    index = client.get("/sitemap.xml").content.decode()
    domain = Site.objects.get_current().domain  # sitemaps name the site's canonical domain
    for section in ["pages", "products", "categories", "franchises"]:
        assert f"<loc>http://{domain}/sitemap-{section}.xml</loc>" in index
    products = client.get("/sitemap-products.xml").content.decode()
    assert cheeky_pin().get_absolute_url() in products
    assert products.count("<url>") == len(ITEMS)
    categories = client.get("/sitemap-categories.xml").content.decode()
    assert Category.objects.get(depth=1, name="Stickers").get_absolute_url() in categories
    franchises = client.get("/sitemap-franchises.xml").content.decode()
    assert "/catalogue/franchise/moonlit-ronin/</loc>" in franchises


def test_product_sitemap_pages_itself_for_a_large_catalogue(client, demo_shop, monkeypatch):
    monkeypatch.setattr(ProductSitemap, "limit", 10)
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-products.xml?p=5" in index
    assert (
        client.get("/sitemap-products.xml?p=5").content.decode().count("<url>") == len(ITEMS) - 40
    )


def test_the_printed_demo_staff_login_works_on_the_dashboard_and_admin(client, demo_shop, settings):
    settings.DEBUG = True  # as `serve_demo` runs; without DEBUG it is refused (tests/accounts)
    response = client.post(
        reverse("customer:login") + "?next=/dashboard/",
        {
            "login_submit": "1",
            "login-username": DEMO_STAFF["email"],
            "login-password": DEMO_STAFF["password"],
        },
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    client.post(reverse("customer:logout"))
    response = client.post(
        reverse("admin:login") + "?next=" + reverse("admin:index"),
        {"username": DEMO_STAFF["username"], "password": DEMO_STAFF["password"]},
    )
    assert response["Location"] == reverse("admin:index")


def test_favicon_ico_points_at_the_shop_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("shop/img/favicon.svg")
