"""A listing's tiles (`{% product_tile %}`, written out in Python) show what the tile template
(oscar/catalogue/partials/product.html, which article cards extend) shows, for every kind of
product and every content choice, and cut the same stock slots out of a cached page."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.template import RequestContext, Template
from django.test import RequestFactory
from oscar.core.loading import get_class
from oscar.test.factories import create_product

from catalogue import consent, selectors, stock_slots
from tests.factories import ContentWarningFactory, FranchiseFactory, merch, product_image

Selector = get_class("partner.strategy", "Selector")

pytestmark = pytest.mark.django_db

THROUGH_THE_TEMPLATE = Template(
    '{% for product in products %}{% include "oscar/catalogue/partials/product.html" %}{% endfor %}'
)
WRITTEN_OUT = Template(
    "{% load product_tiles %}{% for product in products %}{% product_tile product %}{% endfor %}"
)
CHOICES = {
    "nothing chosen": {},
    "shows mature": {"shows_mature": True},
    "adult confirmed": {"shows_mature": True, "is_adult_confirmed": True},
}


def every_kind_of_product() -> list:
    franchise = FranchiseFactory(name="Moonlit Ronin & Co")
    notice = ContentWarningFactory(slug="spoilers", name="Spoilers", level=1)
    mature = ContentWarningFactory(slug="mature", name="Mature", level=2)
    adult = ContentWarningFactory(slug="adult", name="Adult <18+>", level=3)
    pictured = merch('Ronin "Duel" Pin <A3>', franchise=franchise, stock=40)
    product_image(pictured)
    parent = create_product(title="Prism Compact Pin", structure="parent", product_class="Pin")
    create_product(title="Gold", parent=parent, price="18.00", num_in_stock=0)
    create_product(title="Silver", parent=parent, price="12.00", num_in_stock=3)
    sold_out_parent = create_product(title="Gone Compact", structure="parent", product_class="Pin")
    create_product(title="Bronze", parent=sold_out_parent, price="9.00", num_in_stock=0)
    products = [
        pictured,
        merch("Last Few Pin", stock=2),
        merch("Sold Out Pin", stock=0),
        create_product(title="Priceless Pin", product_class="Pin"),
        parent,
        sold_out_parent,
        merch("Spoiler Sticker", warnings=[notice], product_class="Sticker"),
        merch("Mature Print", warnings=[mature], franchise=franchise, product_class="Art print"),
        merch("Adult Print", warnings=[adult], stock=1, product_class="Art print"),
        merch("Sold Adult Print", warnings=[adult], stock=0, product_class="Art print"),
    ]
    shown = selectors.tiles_in_order([p.pk for p in products])
    selectors.load_tile_extras(shown)
    assert len(shown) == len(products)
    return shown


def shopper(choice: dict):
    request = RequestFactory().get("/catalogue/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.session[consent.SESSION_KEY] = choice
    request.user = AnonymousUser()
    request.strategy = Selector().strategy(request=request)
    return request


def squeezed(html: str) -> str:
    """The markup without the whitespace between and around tags (the browser's rendering), and
    without the CSRF token's value (masked afresh for each form)."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", html)
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", re.sub(r"\s+", " ", html))


def tiles(html: str) -> list[str]:
    return re.findall(r'<article class="product-card.*?</article>', squeezed(html))


def rendered(template: Template, request, products) -> str:
    return template.render(RequestContext(request, {"products": products}))


@pytest.mark.parametrize("choice", CHOICES.values(), ids=CHOICES.keys())
def test_listing_tiles_show_what_the_tile_template_shows(choice):
    products = every_kind_of_product()
    request = shopper(choice)

    written_out = tiles(rendered(WRITTEN_OUT, request, products))

    assert written_out == tiles(rendered(THROUGH_THE_TEMPLATE, request, products))
    assert len(written_out) == len(products)
    assert "Only 2 left" in written_out[1] and "Sold out" in written_out[2]
    assert "From $12.00" in written_out[4] and "Add to basket" in written_out[0]
    assert ("is-withheld" in written_out[7]) is not choice.get("shows_mature", False)


@pytest.mark.parametrize("choice", CHOICES.values(), ids=CHOICES.keys())
def test_cut_listing_tiles_leave_the_template_s_stock_slots(choice):
    products = every_kind_of_product()
    request = shopper(choice)

    def cut(template):
        with stock_slots.punching() as punch:
            page = rendered(template, request, products)

        def kept(html: str) -> str:
            return squeezed(html.replace(punch.token, "TOKEN"))

        slots = [
            (s.product_id, s.is_parent, kept(s.available), kept(s.sold_out)) for s in punch.slots
        ]
        return tiles(kept(page)), slots, punch.states

    written_out = cut(WRITTEN_OUT)

    assert written_out == cut(THROUGH_THE_TEMPLATE)
    assert len(written_out[1]) == len(products)
