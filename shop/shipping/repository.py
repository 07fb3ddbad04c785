"""Which shipping methods a basket is offered: standard first (Oscar's default), then express."""

from oscar.apps.shipping.repository import Repository as CoreRepository

from .methods import Express, Standard


class Repository(CoreRepository):
    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        # Not a class-level `methods` tuple: standard's description depends on the basket.
        return [Standard(basket), Express()]
