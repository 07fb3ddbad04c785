"""No URL of the shop sends a browser to another site, whatever its `next`, `redirect_to`,
`redirect_url` or Referer says.

Every URL pattern is visited (path arguments filled with real rows of the demo shop and of a
customer's own alert, wishlist, address and order) by GET and POST, as an anonymous shopper, a
signed-in customer or, for the dashboard and the admin, staff. A first visit offers each carrier
a distinct same-site address; a view that follows one of them chooses its destination from the
request, and is then offered every off-site form in tests/offsite.py. No answer may point off-site.
Admin URLs that run the same ModelAdmin code for another model are visited once.
"""

from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.sites.models import Site
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.regex_helper import normalize
from oscar.core.loading import get_model
from oscar.test.factories import (
    ProductAlertFactory,
    UserAddressFactory,
    UserFactory,
    WishListFactory,
    create_order,
)

from tests.offsite import BYPASS_FORMS, EVIL, browser_host

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

CARRIERS = ("next", "redirect_to", "redirect_url")


def walk(patterns, chain=()):
    """(name, the chain of patterns from the root to it) for every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, (*chain, pattern))
        elif isinstance(pattern, URLPattern):
            spaces = [resolver.namespace for resolver in chain if resolver.namespace]
            yield ":".join((*spaces, pattern.name or "")), (*chain, pattern)


def path_for(chain, values) -> str:
    """The path a pattern chain matches with these argument values (what `reverse` builds, for
    unnamed patterns too)."""
    path = ""
    for pattern in chain:
        template, names = normalize(pattern.pattern.regex.pattern)[0]
        path += template % {name: values[name] for name in names}
    return "/" + path


def argument_names(chain) -> set:
    return {name for pattern in chain for name in pattern.pattern.regex.groupindex}


def model_of(pattern):
    """The model a view works on, when it says (admin views, Django/Oscar generic views)."""
    callback = pattern.callback
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    return getattr(getattr(callback, "view_class", None), "model", None)


# What decides where an admin page sends the browser: the admin site's own pages aside, every
# model's pages run these ModelAdmin methods.
ADMIN_REDIRECTS = (
    "changelist_view",
    "changeform_view",
    "add_view",
    "change_view",
    "delete_view",
    "history_view",
    "response_action",
    "response_add",
    "response_change",
    "response_delete",
    "response_post_save_add",
    "response_post_save_change",
)


def code_of(name, chain):
    """What a URL runs. Admin pages of models whose ModelAdmin classes share every method that
    chooses a redirect run the same code: one of them stands for all."""
    model_admin = getattr(chain[-1].callback, "model_admin", None)
    if model_admin is None:
        return name
    mro = type(model_admin).__mro__
    owners = tuple(next(cls for cls in mro if method in vars(cls)) for method in ADMIN_REDIRECTS)
    return owners, str(chain[-1].pattern)


@pytest.fixture
def rows(demo_shop):
    """Real rows for path arguments: the demo shop's, and a customer's own, read before the walk
    (which deletes some of them)."""
    product = Product.objects.filter(is_public=True, parent=None).order_by("pk").first()
    category = Category.objects.order_by("pk").first()
    customer = UserFactory(email="walker@example.com")
    wishlist = WishListFactory(owner=customer)
    wishlist.add(product)
    order = create_order(user=customer)
    address = UserAddressFactory(user=customer)
    customer_alert = ProductAlertFactory(product=product, user=customer)
    anonymous_alert = ProductAlertFactory(product=product, user=None, email="a@example.com")
    Post = get_model("blog", "Post")
    return {
        "product": product,
        "customer": customer,
        "customer_alert": customer_alert,
        "anonymous_alert": anonymous_alert,
        "by_name": {
            "customer:alerts-cancel-by-pk": {"pk": customer_alert.pk},
            "customer:alerts-cancel-by-key": {"key": anonymous_alert.key},
            "customer:alerts-confirm": {"key": anonymous_alert.key},
            "customer:address-detail": {"pk": address.pk},
            "customer:address-delete": {"pk": address.pk},
            "customer:address-change-status": {"pk": address.pk, "action": "default_for_billing"},
            "checkout:user-address-update": {"pk": address.pk},
            "checkout:user-address-delete": {"pk": address.pk},
            "catalogue:detail": {"pk": product.pk},
            "catalogue:category": {"category_slug": category.slug, "pk": category.pk},
            "catalogue:franchise": {"slug": product.franchise.slug},
            "blog:detail": {"slug": Post.objects.order_by("pk").first().slug},
            "basket:add": {"pk": product.pk},
            "customer:alert-create": {"pk": product.pk},
        },
        "by_argument": {
            "id": customer.pk,
            "product_pk": product.pk,
            "parent_pk": product.pk,
            "product_slug": product.slug,
            "key": wishlist.key,
            "to_key": wishlist.key,
            "line_pk": wishlist.lines.get().pk,
            "order_number": order.number,
            "number": order.number,
            "line_id": order.lines.first().pk,
            "hash": order.verification_hash(),
            "app_label": "catalogue",
            "product_class_slug": product.get_product_class().slug,
        },
        "newest": {},
    }


def arguments(name, pattern, names, rows) -> dict:
    """Path arguments: this URL's own rows, else the newest row of the view's model, else a row
    named by the argument, else 1."""
    model = model_of(pattern)
    if model is not None and model not in rows["newest"]:
        rows["newest"][model] = (
            model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        )
    newest = rows["newest"].get(model)
    filled = {arg: rows["by_argument"].get(arg, 1) for arg in names}
    for arg in ("pk", "object_id"):
        if arg in names and newest is not None:
            filled[arg] = newest
    filled.update(rows["by_name"].get(name, {}))
    return filled


def url_for(name, chain, rows) -> str:
    names = argument_names(chain)
    return path_for(chain, arguments(name, chain[-1], names, rows))


def targets(value):
    """Every carrier set to `value` (a callable taking the carrier's name, or a string)."""
    pick = value if callable(value) else (lambda carrier: value)
    data = {carrier: pick(carrier) for carrier in CARRIERS}
    return data, {"HTTP_REFERER": pick("referer")}


def visit(client, method, url, value):
    data, headers = targets(value)
    if method == "get":
        return client.get(url, data, **headers)
    return client.post(f"{url}?{urlencode(data)}", data, **headers)


def probe(carrier):
    """A same-site address for each carrier: a view that redirects to one follows it."""
    target = f"/blog/?probe={carrier}"
    return f"http://testserver{target}" if carrier == "referer" else target


def follows_probe(response) -> bool:
    location = urlsplit(response.headers.get("Location", ""))
    return location.path == "/blog/" and location.query.startswith("probe=")


def visitors(name):
    """Staff pages are visited by staff, and by an anonymous visitor sent to sign in."""
    if name.startswith(("admin:", "dashboard:")):
        return ("anonymous", "staff")
    return ("anonymous", "customer")


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("/basket/", "testserver"),
        ("https://testserver/basket/", "testserver"),
        ("%2F%2Fevil.example", "testserver"),
        ("%20//evil.example", "testserver"),
        ("http:basket/", "testserver"),
        ("https://evil.example", EVIL),
        ("//evil.example", EVIL),
        ("///evil.example", EVIL),
        ("/\\evil.example", EVIL),
        ("\\\\evil.example", EVIL),
        ("https:evil.example", EVIL),
        ("\t//evil.example", EVIL),
        ("/\t/evil.example", EVIL),
        ("http://testserver@evil.example:8000/", EVIL),
        ("javascript:alert(1)", ""),
    ],
)
def test_locations_are_read_as_a_browser_reads_them(location, host):
    assert browser_host(location) == host


def test_no_url_redirects_off_site(rows, client, django_user_model):
    users = {
        "anonymous": None,
        "customer": rows["customer"],
        "staff": django_user_model.objects.get(username="staff"),
    }
    # The admin's "view on site" goes to the configured site's domain (Django's shortcut view).
    hosts = {"testserver", Site.objects.get_current().domain.split(":")[0]}
    client.raise_request_exception = False
    patterns = list(walk(get_resolver().url_patterns))
    visited, followers, off_site, server_errors = set(), set(), [], []

    def check(response, who, method, url, target):
        if browser_host(response.headers.get("Location", "/")) not in hosts:
            off_site.append((who, method, url, target, response["Location"]))
        if response.status_code >= 500:
            server_errors.append((who, method, url))

    # The admin deletes on any POST to a delete page: staff go last, after the customer's rows.
    for who in ("anonymous", "customer", "staff"):
        for name, chain in patterns:
            if who not in visitors(name) or (who, code_of(name, chain)) in visited:
                continue
            visited.add((who, code_of(name, chain)))
            url = url_for(name, chain, rows)
            for method in ("get", "post"):
                client.logout()  # a logout page visited last time signed the visitor out
                if users[who] is not None:
                    client.force_login(users[who])
                response = visit(client, method, url, probe)
                check(response, who, method, url, "probe")
                if follows_probe(response):
                    followers.add(url)
                    for target in BYPASS_FORMS:
                        check(visit(client, method, url, target), who, method, url, target)

    assert not off_site, off_site
    assert not server_errors, server_errors
    # The walk reached the views that choose where to go from the request.
    assert {
        reverse("catalogue:content-consent"),
        reverse("basket:add", kwargs={"pk": rows["product"].pk}),
        reverse("customer:alerts-cancel-by-pk", kwargs={"pk": rows["customer_alert"].pk}),
        reverse("customer:alerts-cancel-by-key", kwargs={"key": rows["anonymous_alert"].key}),
        reverse("set_language"),
    } <= followers
