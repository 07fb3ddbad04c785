"""Template access to catalogue.buying: `{{ price|shown_price }}` (`shown_amount` unformatted) and
`{% purchase_action product info as action %}` (compare with `action == "add-to-basket"` etc.)."""

from django import template
from oscar.templatetags.currency_filters import currency

from catalogue import buying
from catalogue.consent import consent_for

register = template.Library()


@register.filter
def shown_price(price) -> str:
    """The price as the shopper sees it, formatted in its currency; empty without a price."""
    amount = buying.shown_price(price)
    return "" if amount is None else currency(amount, price.currency)


@register.filter
def shown_amount(price):
    """The shown amount as a plain number (for meta tags); empty without a price."""
    amount = buying.shown_price(price)
    return "" if amount is None else amount


@register.simple_tag(takes_context=True)
def purchase_action(context, product, info) -> str:
    return buying.purchase_action(product, info, consent_for(context.get("request")))
