"""Every page carries a strict Content-Security-Policy (django-csp, shop.browser_policy): scripts
only from the shop, or inline with the response's own nonce; Stripe's origins only with real keys."""

import re

import pytest
from django.urls import reverse
from oscar.test.factories import create_order

from tests.factories import merch
from tests.security.conftest import directives, nonce_of

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "img-src": ["'self'", "data:"],
    "report-uri": ["/csp-report/"],
}
STRIPE = "stripe.com"
SIMULATOR = "http://127.0.0.1:12111"


def page_kinds(product):
    return {
        "home": reverse("home"),
        "product": product.get_absolute_url(),
        "listing": reverse("catalogue:index"),
        "basket": reverse("basket:summary"),
        "checkout": reverse("checkout:index"),
        "blog": reverse("blog:index"),
        "dashboard sign-in": reverse("dashboard:login"),
        "admin sign-in": reverse("admin:login"),
    }


@pytest.fixture
def product(db):
    return merch("Policy Pin", price="9.00", stock=3)


@pytest.mark.parametrize(
    "kind",
    [
        "home",
        "product",
        "listing",
        "basket",
        "checkout",
        "blog",
        "dashboard sign-in",
        "admin sign-in",
    ],
)
def test_every_page_kind_sends_the_strict_policy(client, settings, product, kind):
    settings.STRIPE_MODE = "off"  # the policy before any payment origin is added
    response = client.get(page_kinds(product)[kind], follow=True)
    assert response.status_code == 200
    policy = directives(response)
    for name, sources in STRICT.items():
        assert policy[name] == sources, name
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_admin_and_dashboard_pages_send_the_strict_policy(admin_client):
    order = create_order()
    for url in (
        reverse("admin:index"),
        reverse("admin:blog_post_changelist"),
        reverse("dashboard:index"),
        reverse("dashboard:order-detail", args=[order.number]),
    ):
        policy = directives(admin_client.get(url))
        assert policy["object-src"] == ["'none'"], url
        assert "'unsafe-inline'" not in policy["script-src"], url


def test_a_page_with_an_inline_script_gives_it_the_nonce_of_its_own_header(admin_client):
    first = admin_client.get(reverse("dashboard:index"))
    second = admin_client.get(reverse("dashboard:index"))

    nonce = nonce_of(first)
    assert nonce and nonce != nonce_of(second)
    scripts = re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>", first.content)
    assert scripts and all(f'nonce="{nonce}"'.encode() in tag for tag in scripts)


def test_storefront_pages_need_no_nonce_so_a_cached_copy_stays_valid(client, product):
    for url in (reverse("home"), product.get_absolute_url(), reverse("blog:index")):
        response = client.get(url)
        assert nonce_of(response) is None, url
        assert b"nonce=" not in response.content, url


def test_without_keys_the_policy_names_no_stripe_origin(client, settings):
    settings.STRIPE_MODE = "off"
    response = client.get(reverse("home"))
    assert STRIPE not in response.headers["Content-Security-Policy"]
    assert SIMULATOR not in response.headers["Content-Security-Policy"]


def test_with_real_keys_stripe_js_may_load_frame_connect_and_run_3d_secure(client, settings):
    settings.STRIPE_MODE = "stripe"
    policy = directives(client.get(reverse("home")))
    assert "https://js.stripe.com" in policy["script-src"]
    assert "https://js.stripe.com" in policy["frame-src"]
    assert "https://hooks.stripe.com" in policy["frame-src"]
    assert "https://api.stripe.com" in policy["connect-src"]
    assert "https://hooks.stripe.com" in policy["form-action"]  # the 3-D Secure redirect
    assert "https://*.stripe.com" in policy["img-src"]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_the_simulator_is_reached_only_in_simulator_mode(client, settings):
    settings.STRIPE_MODE = "simulator"
    settings.STRIPE_SIMULATOR_URL = SIMULATOR + "/"
    policy = directives(client.get(reverse("home")))
    assert SIMULATOR in policy["connect-src"]
    assert SIMULATOR in policy["form-action"]  # its 3-D Secure page
    assert not any(STRIPE in source for sources in policy.values() for source in sources)


def test_permissions_policy_turns_off_what_the_shop_never_uses(client, settings):
    settings.STRIPE_MODE = "off"
    header = client.get(reverse("home")).headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "usb", "payment"):
        assert features[feature] == "()", feature


def test_permissions_policy_lets_stripe_js_ask_for_payment_only_with_real_keys(client, settings):
    settings.STRIPE_MODE = "stripe"
    header = client.get(reverse("home")).headers["Permissions-Policy"]
    assert 'payment=(self "https://js.stripe.com")' in header
    assert "camera=()" in header
