"""The shop's fork of Oscar's dashboard (app label "dashboard"); it changes nothing by itself.

Oscar resolves `get_class("dashboard.catalogue.forms", ...)` through the app labelled "dashboard",
so a forked dashboard sub-app (shop/dashboard/catalogue) is only found when the dashboard itself is
forked too, as Oscar's customisation docs say (django-oscar PR #3055).
"""

import oscar.apps.dashboard.apps as apps


class DashboardConfig(apps.DashboardConfig):
    name = "shop.dashboard"
