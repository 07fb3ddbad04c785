"""The shop's fork of Oscar's catalogue: anime-merch product data (franchises, attributes, warnings)."""

import oscar.apps.catalogue.apps as apps
from django.urls import path


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue"

    def ready(self):
        super().ready()
        from oscar.core.loading import get_class

        from . import (  # noqa: F401
            generations,
            image_receivers,
            receivers,
            sales_counts,
            staff_html,
            text_linkers,
            view_counts,
        )

        generations.connect()
        staff_html.connect()
        text_linkers.connect()  # after the policy: linkers get clean HTML

        self.franchise_view = get_class("search.views", "FranchiseView")
        self.content_consent_view = get_class("catalogue.consent_views", "ContentConsentView")
        self.confirm_adult_view = get_class("catalogue.consent_views", "ConfirmAdultView")

    def get_urls(self):
        urls = super().get_urls()
        urls.append(path("franchise/<slug:slug>/", self.franchise_view.as_view(), name="franchise"))
        urls += [
            path("content/", self.content_consent_view.as_view(), name="content-consent"),
            path("content/adult/", self.confirm_adult_view.as_view(), name="confirm-adult"),
        ]
        return self.post_process_urls(urls)
