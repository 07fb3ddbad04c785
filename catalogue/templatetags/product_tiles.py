"""`{% product_tile product %}`: a listing's product tile, the markup of
templates/oscar/catalogue/partials/product.html written out in Python.

    {% load product_tiles %}
    {% for product in products %}<li>{% product_tile product %}</li>{% endfor %}

A cold listing renders 24 tiles, and through the template engine each cost ~1,300 Python calls
(half of the page's rendering): its nested tags, filters and the stock slot's two renders. Here
a tile is a few string joins around the same rules (catalogue.buying, catalogue.consent, the
stock slot of catalogue.stock_slots, `{% product_picture %}`); the rare warned product still
renders the template's warning notice. Article cards extend the template instead, and
tests/catalogue/test_listing_tiles.py holds the two to the same markup: change them together.
"""

from __future__ import annotations

# The standard library's `escape`: Django's answers the same string for a str, through a check for
# lazy arguments that cost a tile ~100 calls.
from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from catalogue import buying, links, stock_slots
from catalogue.consent import consent_for

from .buying import shown_price
from .product_media import product_picture

register = template.Library()

WARNING_NOTICE = "catalogue/partials/warning_notice.html"
TILES = "catalogue:product-tiles"  # the page's Tiles, kept in its render context


@register.simple_tag(takes_context=True)
def product_tile(context, product) -> SafeString:
    tiles = context.render_context.get(TILES)
    if tiles is None:
        tiles = context.render_context[TILES] = Tiles(context)
    return tiles.tile(product)


class Tiles:
    """The tiles of one render: what they share (the shopper's consent, the strategy, the
    translated words, the CSRF field) is worked out once."""

    def __init__(self, context):
        self.context = context
        request = context.get("request")
        self.strategy = request.strategy
        self.consent = consent_for(request)
        self.from_word = conditional_escape(gettext("From"))
        self.see_options = conditional_escape(gettext("See options"))
        self.add_to_basket = conditional_escape(gettext("Add to basket"))

    @cached_property
    def csrf_field(self) -> str:
        # Read only when a tile has a form: reading the token sets the CSRF cookie.
        return CsrfTokenNode().render(self.context)

    @cached_property
    def warning_notice(self):
        return get_template(WARNING_NOTICE).template

    def tile(self, product) -> SafeString:
        if product.is_parent:
            info = self.strategy.fetch_for_parent(product)
        else:
            info = self.strategy.fetch_for_product(product)
        action = buying.purchase_action(product, info, self.consent)
        withheld = self.consent.withholds(product)
        url = escape(product.get_absolute_url())
        title = escape(product.get_title())
        if withheld:
            # Mature content: no image URL in the page until the shopper chooses to see it.
            picture = '<span class="withheld-image" role="presentation"></span>'
        else:
            picture = product_picture(product.primary_image(), size="card", alt="", loading="lazy")
        kind = escape(product.product_class.name) if product.product_class else ""
        if product.franchise:
            kind += f" · {escape(product.franchise.name)}"
        warning = ""
        if product.warning_level:
            with self.context.push(product=product, compact=True):
                warning = self.warning_notice.render(self.context)
        if info.price.exists:
            price = escape(shown_price(info.price))
            if product.is_parent:
                price = f"{self.from_word} {price}"
        else:
            price = self.see_options if product.is_parent else ""

        def stock_and_actions(stock, action) -> str:
            shown = "is-available" if stock is not None and stock.is_available else "is-unavailable"
            words = escape(stock.label) if stock is not None else ""
            html = f'<p class="product-card__stock {shown}">{words}</p>'
            if action == buying.PurchaseAction.ADD_TO_BASKET:
                html += (
                    f'<form action="{escape(links.add_to_basket_url(product.pk))}" method="post"'
                    f' class="product-card__buy">{self.csrf_field}'
                    '<input type="hidden" name="quantity" value="1">'
                    f'<button type="submit" class="btn btn-primary btn-block">{self.add_to_basket}'
                    f'<span class="sr-only">: {title}</span></button></form>'
                )
            return html

        slot = stock_slots.slot(product, info, action, stock_and_actions)
        return mark_safe(
            f'<article class="product-card{" is-withheld" if withheld else ""}">'
            f'<a class="product-card__image" href="{url}" tabindex="-1" aria-hidden="true">'
            f"{picture}</a>"
            '<div class="product-card__body">'
            f'<p class="product-card__type">{kind}</p>'
            f'<h3 class="product-card__title"><a href="{url}">{title}</a></h3>'
            f"{warning}"
            f'<p class="product-card__price">{price}</p>'
            f"{slot}</div></article>"
        )
