"""Distinct guest shoppers, as during a sale: each one its own browser (cookies), its own basket of
three lines and, for the checkout, its own e-mail, address and shipping method, made with the shop's
own forms. Before any load, each shopper's page is fetched once and must be the page itself (200 and
its marker), not a redirect back to the basket.

The same steps serve the shop and stock Oscar (`stock_oscar/`): a `Storefront` says where each
shop's forms are, in its own URLconf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.urls import reverse

from . import scenarios
from .common import BenchError

# What the basket page shows when it has lines, and what only the checkout's preview shows: the same
# ids in Oscar's templates and in the shop's overrides of them.
BASKET_MARKER = 'id="basket_formset"'
PREVIEW_MARKER = 'id="place_order_form"'


class Browser(Protocol):
    """A cookie jar that posts forms: load.HttpShopper over HTTP, or a test's stand-in."""

    cookies: dict[str, str]
    body: bytes

    def request(self, method: str, url: str, data: dict | None = None) -> int: ...


@dataclass(frozen=True)
class Storefront:
    """Where one shop's shopper steps go."""

    name: str
    landing_url: str  # a page with a form on it: the CSRF cookie
    add_urls: tuple[str, ...]
    basket_url: str
    checkout_url: str
    shipping_address_url: str
    shipping_method_url: str
    preview_url: str
    shipping_method: str
    basket_cookie: str

    @classmethod
    def from_seed(cls, name: str, seed: dict, *, basket_cookie: str) -> Storefront:
        """From the JSON stock Oscar's seed command prints (seed_stock_oscar)."""
        fields = {f: seed[f] for f in cls.__dataclass_fields__ if f in seed}
        return cls(
            name=name,
            **{**fields, "add_urls": tuple(seed["add_urls"])},
            basket_cookie=basket_cookie,
        )


def ours() -> Storefront:
    """The shop: the benchmark's basket products (scenarios.basket_products), standard shipping."""
    products = scenarios.basket_products()
    return Storefront(
        name="ours",
        landing_url=products[0].get_absolute_url(),
        add_urls=tuple(reverse("basket:add", kwargs={"pk": p.pk}) for p in products),
        basket_url=reverse("basket:summary"),
        checkout_url=reverse("checkout:index"),
        shipping_address_url=reverse("checkout:shipping-address"),
        shipping_method_url=reverse("checkout:shipping-method"),
        preview_url=reverse("checkout:preview"),
        shipping_method="standard",
        basket_cookie=settings.OSCAR_BASKET_COOKIE_OPEN,
    )


def steps(front: Storefront, *, checkout: bool, email: str) -> list[scenarios.Step]:
    """A guest's forms: add each product; for the checkout, e-mail, address and shipping method."""
    found = [scenarios.Step(url, {"quantity": 1}) for url in front.add_urls]
    if checkout:
        found += [
            scenarios.Step(front.checkout_url, {"username": email, "options": "anonymous"}),
            scenarios.Step(front.shipping_address_url, scenarios.ADDRESS),
            scenarios.Step(front.shipping_method_url, {"method_code": front.shipping_method}),
        ]
    return found


def shopper_email(n: int) -> str:
    local, domain = scenarios.GUEST_EMAIL.split("@")
    return f"{local}-{n}@{domain}"


def make_shoppers(
    front: Storefront, *, count: int, checkout: bool, new_browser: Callable[[], Browser]
) -> list[Browser]:
    """`count` guests, each with a basket of its own (and the checkout filled in up to the preview);
    each one's page checked once. Raises BenchError when a step or a page is not what it should be."""
    target, marker = (
        (front.preview_url, PREVIEW_MARKER) if checkout else (front.basket_url, BASKET_MARKER)
    )
    browsers = []
    for n in range(count):
        browser = new_browser()
        browser.request("GET", front.landing_url)
        for step in steps(front, checkout=checkout, email=shopper_email(n)):
            status = browser.request("POST", step.url, step.data)
            if status != 302:
                raise BenchError(f"{front.name}: shopper {n}'s POST {step.url} answered {status}.")
        status = browser.request("GET", target)
        if status != 200 or marker.encode() not in browser.body:
            raise BenchError(
                f"{front.name}: shopper {n}'s GET {target} answered {status} without {marker!r} "
                "(not the page itself: a step of the checkout was not accepted)."
            )
        browsers.append(browser)
    baskets = {browser.cookies.get(front.basket_cookie) for browser in browsers}
    if None in baskets or len(baskets) != count:
        raise BenchError(f"{front.name}: {count} shoppers hold {len(baskets - {None})} baskets.")
    return browsers
