"""The shop's fork of Oscar's order dashboard (label "order_dashboard"): refunds through Stripe,
dispatch (one order, or many from a CSV file), packing slips and pick lists."""

import oscar.apps.dashboard.orders.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    name = "shop.dashboard.orders"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        self.permissions_map |= {
            "order-bulk-dispatch": DashboardPermission.get("order", "view_order", "change_order"),
            "order-pick-list": DashboardPermission.get("order", "view_order"),
            "order-packing-slip": DashboardPermission.get("order", "view_order"),
        }

    def ready(self):
        super().ready()
        self.bulk_dispatch_view = get_class("dashboard.orders.views", "BulkDispatchView")
        self.pick_list_view = get_class("dashboard.orders.views", "PickListView")
        self.packing_slip_view = get_class("dashboard.orders.views", "PackingSlipView")

    def get_urls(self):
        # Before Oscar's "<number>/": these words are not order numbers.
        urls = [
            path("bulk-dispatch/", self.bulk_dispatch_view.as_view(), name="order-bulk-dispatch"),
            path("pick-list/", self.pick_list_view.as_view(), name="order-pick-list"),
            path(
                "<str:number>/packing-slip/",
                self.packing_slip_view.as_view(),
                name="order-packing-slip",
            ),
        ]
        return self.post_process_urls(urls) + super().get_urls()
