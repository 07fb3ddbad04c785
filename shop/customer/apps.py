"""Oscar's customer app (label "customer", Oscar's models and migrations) with four views swapped
(views.py): cancelling a stock alert returns to a page of this site whatever `?next=` says, an
order line's URL answers without a 500, and the order history and order page load what they show
without a query per order or line.

Not a fork: nothing in the app's models, forms or templates changes, so the config keeps Oscar's
`name` and `get_class("customer...")` keeps loading Oscar's modules; only the views behind those
URLs are ours.
"""

import oscar.apps.customer.apps as apps


class CustomerConfig(apps.CustomerConfig):
    def ready(self):
        super().ready()
        from .views import OrderDetailView, OrderHistoryView, OrderLineView, ProductAlertCancelView

        self.alert_cancel_view = ProductAlertCancelView
        self.order_line_view = OrderLineView
        self.order_history_view = OrderHistoryView
        self.order_detail_view = OrderDetailView
