"""The shop's fork of Oscar's order app (label "order"): stock is allocated safely (utils.py)."""

import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = "shop.order"
