"""What the benchmark visits: one page of each kind, who visits it, and how each shopper gets there.

A shopper is a list of steps (POSTs a browser would make) shared by the in-process run, which plays
them through Django's test Client, and the load run, which plays them over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.signing import BadSignature, Signer
from django.urls import reverse
from django.utils.module_loading import import_string
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN, ITEMS, TYPE_CATEGORIES

from . import floor

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Basket = get_model("basket", "Basket")

ANONYMOUS, BASKET, CHECKOUT = "anonymous", "basket", "checkout"
SHOPPERS = {
    ANONYMOUS: "no cookies",
    BASKET: "3 items in the basket",
    CHECKOUT: "guest with basket, e-mail, address and shipping method",
}

BENCH_POST_SLUG = "anime-gift-guide-twelve-picks"  # shop/devtools/demo/articles.py
CARD_MARKER = 'class="product-card article-card'
SEARCH_QUERY = "pin"
# What the search box asks for as a shopper types, a typo included (shop.search.suggestions).
SUGGEST_QUERY = "enamle pin"
GUEST_EMAIL = "bench-shopper@example.com"
ADDRESS = {
    "first_name": "Sakura",
    "last_name": "Haruno",
    "line1": "1 Cherry Blossom Lane",
    "line4": "Portland",
    "state": "OR",
    "postcode": "97201",
    "country": "US",
    "phone_number": "",
}

# Page kinds in the order the tables list them; the floor comes first.
KINDS = [
    "floor",
    "home",
    "catalogue",
    "category",
    "franchise",
    "search",
    "suggest",
    "product",
    "article",
    "blog index",
    "basket",
    "checkout preview",
]
# Browsing pages are also measured for a shopper with a basket (the query budget holds
# for them too); the basket and checkout pages only make sense with one.
BROWSING = set(KINDS) - {"floor", "basket", "checkout preview"}


@dataclass(frozen=True)
class Page:
    kind: str
    shopper: str
    url: str

    @property
    def label(self) -> str:
        """The table's name for the page, e.g. "product (with basket)"."""
        return (
            f"{self.kind} (with basket)"
            if self.shopper == BASKET and self.kind in BROWSING
            else self.kind
        )


@dataclass(frozen=True)
class Step:
    """One form a shopper's browser posts; a redirect (302) means it was accepted."""

    url: str
    data: dict


def pages(kinds: list[str] | None = None, *, with_basket: set[str] = BROWSING) -> list[Page]:
    """The pages to measure, in table order. `kinds` picks some (the floor is always included)."""
    wanted = set(kinds or KINDS) | {"floor"}
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown page kinds: {', '.join(sorted(unknown))}. Known: {KINDS}")
    urls = page_urls()
    found = []
    for kind in KINDS:
        if kind not in wanted:
            continue
        if kind == "basket":
            found.append(Page(kind, BASKET, urls[kind]))
        elif kind == "checkout preview":
            found.append(Page(kind, CHECKOUT, urls[kind]))
        else:
            found.append(Page(kind, ANONYMOUS, urls[kind]))
            if kind in with_basket:
                found.append(Page(kind, BASKET, urls[kind]))
    return found


def page_urls() -> dict[str, str]:
    """One URL per page kind, all built on the demo catalogue (seed_demo must have run)."""
    pin = featured_product()
    # The top "Enamel pins" category: the synthetic products of bigger sizes are filed there too.
    pins = Category.objects.get(depth=1, name=TYPE_CATEGORIES["pin"])
    return {
        "floor": "/" + floor.PATH,
        "home": reverse("home"),
        "catalogue": reverse("catalogue:index"),
        "category": pins.get_absolute_url(),
        "franchise": reverse("catalogue:franchise", kwargs={"slug": pin.franchise.slug}),
        "search": f"{reverse('search:search')}?q={SEARCH_QUERY}",
        "suggest": f"{reverse('search:suggest')}?q={SUGGEST_QUERY.replace(' ', '+')}",
        "product": pin.get_absolute_url(),
        "article": bench_post().get_absolute_url(),
        "blog index": reverse("blog:index"),
        "basket": reverse("basket:summary"),
        "checkout preview": reverse("checkout:preview"),
    }


def featured_product():
    """The Cheeky Pink-Haired Anime Girl Enamel Pin, the demo's best-known product."""
    return Product.objects.select_related("franchise").get(upc=CHEEKY_PINK_PIN)


def basket_products() -> list:
    """Three demo products in stock, the featured pin first: what the basket shopper holds."""
    others = (
        Product.objects.filter(upc__in=[i.code for i in ITEMS], stockrecords__num_in_stock__gt=0)
        .exclude(upc=CHEEKY_PINK_PIN)
        .order_by("upc")[:2]
    )
    return [featured_product(), *others]


def shopper_steps(shopper: str) -> list[Step]:
    if shopper == ANONYMOUS:
        return []
    steps = [
        Step(reverse("basket:add", kwargs={"pk": p.pk}), {"quantity": 1}) for p in basket_products()
    ]
    if shopper == CHECKOUT:
        steps += guest_checkout_steps()
    return steps


def guest_checkout_steps(email: str = GUEST_EMAIL) -> list[Step]:
    """From a basket to the review page: a guest's e-mail, address and shipping method, which
    the address page takes in one post (shop.checkout.forms)."""
    return [
        Step(
            reverse("checkout:shipping-address"),
            {**ADDRESS, "email": email, "method_code": "standard"},
        )
    ]


def bench_post():
    """The demo's gift guide: a published article with 12 live product cards."""
    from blog.models import Post

    return Post.objects.get(slug=BENCH_POST_SLUG)


def discard_shopper(cookies: dict[str, str], *, secret_key: str | None = None) -> None:
    """Delete the basket and session a benchmark shopper left behind, found from its cookies."""
    signed = cookies.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if signed:
        try:
            basket_id = Signer(key=secret_key or settings.SECRET_KEY).unsign(signed)
        except BadSignature:
            basket_id = None
        if basket_id:
            Basket.objects.filter(pk=basket_id, owner=None).delete()
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if session_key:
        store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
        store.delete(session_key)
