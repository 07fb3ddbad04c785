"""The shop's fork of Oscar's order app (label "order"): stock is allocated safely (utils.py),
staff cancel orders (cancellation.py), and customers are e-mailed of cancellations and refunds."""

import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = "shop.order"

    def ready(self):
        super().ready()
        from shop.order import receivers  # noqa: F401
