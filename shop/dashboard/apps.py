"""The shop's fork of Oscar's dashboard (app label "dashboard"): Oscar's, plus the Articles report
(shop.dashboard.articles).

Oscar resolves `get_class("dashboard.catalogue.forms", ...)` through the app labelled "dashboard",
so a forked dashboard sub-app (shop/dashboard/catalogue) is only found when the dashboard itself is
forked too, as Oscar's customisation docs say (django-oscar PR #3055).
"""

import oscar.apps.dashboard.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class DashboardConfig(apps.DashboardConfig):
    name = "shop.dashboard"

    def configure_permissions(self):
        super().configure_permissions()
        # Revenue is sales data: staff who may see orders (not, say, a blog editor alone).
        self.permissions_map["articles"] = (["is_staff", "order.view_order"],)

    def ready(self):
        super().ready()
        self.article_report_view = get_class("dashboard.articles.views", "ArticleReportView")

    def get_urls(self):
        return super().get_urls() + self.post_process_urls(
            [path("articles/", self.article_report_view.as_view(), name="articles")]
        )
