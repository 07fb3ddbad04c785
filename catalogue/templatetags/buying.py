"""Template access to catalogue.buying: `{{ price|shown_price }}` (`shown_amount` unformatted),
`{{ info|stock_state }}` (`.label`, `.code`, `.is_available`), `{% shows_tax order as show_tax %}`,
and `{% purchase_action product info as action %}` (compare with `action == "add-to-basket"`)."""

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.translation import get_language
from oscar.templatetags.currency_filters import currency

from catalogue import buying, links, stock_slots
from catalogue.consent import consent_for

register = template.Library()


@register.filter
def shown_price(price) -> str:
    """The price as the shopper sees it, formatted in its currency; empty without a price."""
    amount = buying.shown_price(price)
    return "" if amount is None else _formatted(amount, price.currency, get_language())


@lru_cache(maxsize=4096)
def _formatted(amount: Decimal, currency_code: str, language: str) -> str:
    # Babel's formatting costs about 40 us; a listing shows the same few prices many times.
    return currency(amount, currency_code)


@register.filter
def shown_amount(price):
    """The shown amount as a plain number (for meta tags); empty without a price."""
    amount = buying.shown_price(price)
    return "" if amount is None else amount


@register.filter
def stock_state(info) -> buying.StockState:
    """The stock words for Oscar's purchase info (a `purchase_info_for_*` result)."""
    return buying.stock_state(info)


@register.simple_tag(takes_context=True)
def purchase_action(context, product, info) -> str:
    return buying.purchase_action(product, info, consent_for(context.get("request")))


@register.filter
def add_to_basket_url(product_id) -> str:
    """`{% url 'basket:add' pk=product.pk %}`, for a page of tiles (catalogue.links)."""
    return links.add_to_basket_url(product_id)


@register.simple_tag(takes_context=True)
def shows_tax(context, order=None) -> bool:
    """Tax columns and rows: when the shop's strategy charges tax, or the order was charged some."""
    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    if strategy is not None and buying.charges_tax(strategy):
        return True
    return bool(order is not None and order.total_tax)


@register.tag
def stock_slot(parser, token):
    """`{% stock_slot product info action %}…{% endstock_slot %}`: renders its body with `stock`
    (the stock words for Oscar's purchase `info`) and `action` (the purchase action): once, or,
    while a page is rendered for the whole-page cache, as if available and as sold out, for the
    cache to fill on each response (catalogue.stock_slots). Keep in it only what a sale changes."""
    bits = token.split_contents()
    if len(bits) != 4:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a product, its info and its action")
    nodelist = parser.parse(("endstock_slot",))
    parser.delete_first_token()
    return StockSlotNode(*(parser.compile_filter(bit) for bit in bits[1:]), nodelist)


class StockSlotNode(template.Node):
    def __init__(self, product, info, action, nodelist):
        self.product, self.info, self.action, self.nodelist = product, info, action, nodelist

    def render(self, context):
        def rendered(stock, action) -> str:
            with context.push(stock=stock, action=action):
                return self.nodelist.render(context)

        return stock_slots.slot(
            self.product.resolve(context),
            self.info.resolve(context),
            self.action.resolve(context),
            rendered,
        )
