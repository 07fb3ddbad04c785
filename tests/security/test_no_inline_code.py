"""No page runs code the policy would have to trust blindly: every main page kind, rendered as a
shopper, a reader, a customer and staff see it, has no inline event handler, no `javascript:` URL,
and no inline script without the nonce of its own Content-Security-Policy header.

The browser journeys (tests/browser) check the same in Chromium, with the policy enforced; this
walks more pages, without a browser.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import oscar
import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from blog.models import Post
from blog.selectors import published_posts
from tests.security.conftest import nonce_of
from tests.shopping import to_payment_step

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
ProductClass = get_model("catalogue", "ProductClass")

pytestmark = pytest.mark.django_db

DATA_BLOCKS = {"application/ld+json", "application/json"}
# In template source: an event handler attribute (also straight after a template tag, as in
# `{% if x %}onclick=…`), a javascript: URL, or a <script> with neither src nor nonce nor data.
HANDLER = re.compile(r"(?:\s|%\}|\}\})on[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"[\"']\s*javascript:", re.IGNORECASE)
BARE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src|nonce)=)(?![^>]*application/(?:ld\+)?json)[^>]*>"
)
TEMPLATE_ROOTS = [
    Path(settings.BASE_DIR) / "templates",
    Path(oscar.__file__).parent / "templates",
    Path(django.__file__).parent / "contrib" / "admin" / "templates",
]
# Oscar's analytics snippet is included only by its own base.html's `tracking` block, which
# templates/oscar/base.html leaves empty.
NEVER_RENDERED = {"oscar/partials/google_analytics.html"}


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' decides on."""

    def __init__(self):
        super().__init__()
        self.script_nonces: list[str | None] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if value and "".join(value.split()).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in names and dict(attrs).get("type") not in DATA_BLOCKS:
            self.script_nonces.append(dict(attrs).get("nonce"))


def assert_no_untrusted_inline_code(response, page: str):
    assert response.status_code == 200, f"{page}: HTTP {response.status_code}"
    scan = InlineCode()
    scan.feed(response.content.decode())
    assert scan.found == [], f"{page}: inline handlers or javascript: URLs"
    nonce = nonce_of(response)
    assert all(found == nonce and nonce for found in scan.script_nonces), (
        f"{page}: inline scripts with nonces {scan.script_nonces}, header nonce {nonce}"
    )


def product_with_image():
    return Product.objects.filter(images__isnull=False, parent=None).first()


def test_shopper_and_reader_pages(client, demo_shop, stripe_sim):
    product = product_with_image()
    article = published_posts().first()
    pages = {
        "home": reverse("home"),
        "listing": reverse("catalogue:index"),
        "category": Category.objects.filter(is_public=True).first().get_absolute_url(),
        "product": product.get_absolute_url(),
        "search": reverse("search:search") + "?q=pin",
        "blog index": reverse("blog:index"),
        "article": article.get_absolute_url(),
        "empty basket": reverse("basket:summary"),
    }
    for page, url in pages.items():
        assert_no_untrusted_inline_code(client.get(url), page)

    payment = to_payment_step(client, product)
    assert_no_untrusted_inline_code(payment, "checkout payment")
    for page, url in {
        "basket": reverse("basket:summary"),
        "checkout sign-in": reverse("checkout:index"),
        "shipping address": reverse("checkout:shipping-address"),
        "shipping method": reverse("checkout:shipping-method"),
    }.items():
        assert_no_untrusted_inline_code(client.get(url, follow=True), page)


def test_customer_account_pages(client, django_user_model):
    customer = django_user_model.objects.create_user("fan", "fan@example.com", "a-long-password-1")
    client.force_login(customer)
    for page, url in {
        "account": reverse("customer:profile-view"),
        "profile form": reverse("customer:profile-update"),
        "password form": reverse("customer:change-password"),
        "address form": reverse("customer:address-create"),
        "order history": reverse("customer:order-list"),
        "wishlist form": reverse("customer:wishlists-create"),
    }.items():
        assert_no_untrusted_inline_code(client.get(url), page)


def test_dashboard_pages(demo_shop, staff_client):
    product = product_with_image()
    order = create_order()
    for page, url in {
        "home": reverse("dashboard:index"),
        "products": reverse("dashboard:catalogue-product-list"),
        "product edit": reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}),
        "product create": reverse(
            "dashboard:catalogue-product-create",
            kwargs={"product_class_slug": ProductClass.objects.first().slug},
        ),
        "categories": reverse("dashboard:catalogue-category-list"),
        "product type": reverse("dashboard:catalogue-class-create"),
        "option group": reverse("dashboard:catalogue-attribute-option-group-create"),
        "option group delete": reverse(
            "dashboard:catalogue-attribute-option-group-delete",
            kwargs={"pk": create_option_group().pk},
        ),
        "orders": reverse("dashboard:order-list"),
        "order": reverse("dashboard:order-detail", args=[order.number]),
        "partner create": reverse("dashboard:partner-create"),
        "vouchers": reverse("dashboard:voucher-list"),
        "franchises": reverse("dashboard:catalogue-franchise-list"),
        "content warnings": reverse("dashboard:catalogue-content-warning-list"),
    }.items():
        assert_no_untrusted_inline_code(staff_client.get(url), f"dashboard {page}")


def test_admin_pages(demo_shop, staff_client):
    post = Post.objects.first()
    for page, url in {
        "home": reverse("admin:index"),
        "posts": reverse("admin:blog_post_changelist"),
        "post add": reverse("admin:blog_post_add"),
        "post change": reverse("admin:blog_post_change", args=[post.pk]),
        "products": reverse("admin:catalogue_product_changelist"),
    }.items():
        assert_no_untrusted_inline_code(staff_client.get(url), f"admin {page}")


def test_sign_in_pages(client):
    for page, url in {
        "storefront": reverse("customer:login"),
        "dashboard": reverse("dashboard:login"),
        "admin": reverse("admin:login"),
    }.items():
        assert_no_untrusted_inline_code(client.get(url), f"{page} sign-in")


def create_option_group():
    AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
    return AttributeOptionGroup.objects.create(name="Sizes")


def test_no_template_the_shop_would_render_has_inline_code():
    """Every template name Oscar, the admin and the shop provide, as the shop resolves it (its
    own override first): what a page not walked above would render is clean too."""
    engine = engines["django"]
    found = []
    names = {
        str(path.relative_to(root)) for root in TEMPLATE_ROOTS for path in root.rglob("*.html")
    }
    for name in sorted(names - NEVER_RENDERED):
        source = Path(engine.get_template(name).origin.name).read_text()
        for pattern in (HANDLER, JAVASCRIPT_URL, BARE_SCRIPT):
            found += [f"{name}: {match[0]}" for match in pattern.finditer(source)]
    assert found == []
