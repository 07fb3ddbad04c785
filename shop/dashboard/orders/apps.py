"""The shop's fork of Oscar's order dashboard (label "order_dashboard"): refunds through Stripe."""

import oscar.apps.dashboard.orders.apps as apps


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    name = "shop.dashboard.orders"
