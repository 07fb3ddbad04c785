"""Pin Senpai's shipping methods: standard (free from a basket total) and express.

Rates are read from settings each time a method is built or priced. Charges carry zero tax, like the
catalogue's prices (Oscar's Default strategy, NoTax): prices are US-style, and Oscar's checkout
refuses a shipping charge whose tax is not known.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping import methods
from oscar.core import prices

from shop.money import currency

NO_TAX = Decimal("0.00")


def free_shipping_shortfall(basket) -> Decimal:
    """How much more the basket must cost for free standard shipping; zero once it qualifies.

    The basket total is after offers and with tax, which is what the shopper sees as the total.
    """
    return max(settings.SHOP_FREE_SHIPPING_OVER - basket.total_incl_tax, Decimal("0.00"))


def flat_rate(basket, amount: Decimal) -> prices.Price:
    return prices.Price(currency=basket.currency, excl_tax=amount, tax=NO_TAX)


class Standard(methods.Base):
    """A flat rate, free once the basket reaches SHOP_FREE_SHIPPING_OVER.

    Built per basket (see Repository): its description tells the shopper how far they are from
    free shipping, and Oscar reads descriptions as attributes.
    """

    code = "standard"
    name = _("Standard shipping (3–5 working days)")

    def __init__(self, basket):
        shortfall = free_shipping_shortfall(basket)
        if shortfall:
            self.description = _("Add %(amount)s more for free standard shipping.") % {
                "amount": currency(shortfall, basket.currency)
            }
        else:
            self.description = _("Free standard shipping on orders of %(amount)s or more.") % {
                "amount": currency(settings.SHOP_FREE_SHIPPING_OVER, basket.currency)
            }

    def calculate(self, basket):
        if free_shipping_shortfall(basket):
            return flat_rate(basket, settings.SHOP_SHIPPING_STANDARD)
        return flat_rate(basket, Decimal("0.00"))


class Express(methods.Base):
    """A flat rate, whatever the basket."""

    code = "express"
    name = _("Express shipping (1–2 working days)")

    def calculate(self, basket):
        return flat_rate(basket, settings.SHOP_SHIPPING_EXPRESS)
