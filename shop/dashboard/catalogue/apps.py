"""The shop's fork of Oscar's catalogue dashboard (label "catalogue_dashboard").

Adds franchise (with its characters) and content-warning pages; the product form gains the
franchise, characters and content warnings (forms.ProductForm, picked up by Oscar's own views).
"""

import oscar.apps.dashboard.catalogue.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    name = "shop.dashboard.catalogue"

    def configure_permissions(self):
        """Staff with the model permissions for the page (the "Catalogue managers" group has them):
        a warning's level decides the 18+ gate, so being staff is not enough. The franchise form
        edits its characters too. Partner users get no access to the shop-wide taxonomy."""
        super().configure_permissions()

        def staff_with(*codenames):
            return ["is_staff", *(f"catalogue.{codename}" for codename in codenames)]

        characters = ("add_character", "change_character", "delete_character")
        self.permissions_map |= {
            "catalogue-franchise-list": staff_with("view_franchise", "change_franchise"),
            "catalogue-franchise-create": staff_with("add_franchise", *characters),
            "catalogue-franchise-update": staff_with(
                "view_franchise", "change_franchise", *characters
            ),
            "catalogue-franchise-delete": staff_with("view_franchise", "delete_franchise"),
            "catalogue-content-warning-list": staff_with(
                "view_contentwarning", "change_contentwarning"
            ),
            "catalogue-content-warning-create": staff_with("add_contentwarning"),
            "catalogue-content-warning-update": staff_with(
                "view_contentwarning", "change_contentwarning"
            ),
            "catalogue-content-warning-delete": staff_with(
                "view_contentwarning", "delete_contentwarning"
            ),
        }

    def ready(self):
        super().ready()
        views = "dashboard.catalogue.views"
        self.franchise_list_view = get_class(views, "FranchiseListView")
        self.franchise_create_view = get_class(views, "FranchiseCreateView")
        self.franchise_update_view = get_class(views, "FranchiseUpdateView")
        self.franchise_delete_view = get_class(views, "FranchiseDeleteView")
        self.content_warning_list_view = get_class(views, "ContentWarningListView")
        self.content_warning_create_view = get_class(views, "ContentWarningCreateView")
        self.content_warning_update_view = get_class(views, "ContentWarningUpdateView")
        self.content_warning_delete_view = get_class(views, "ContentWarningDeleteView")

    def get_urls(self):
        taxonomy_urls = [
            path(
                "franchises/", self.franchise_list_view.as_view(), name="catalogue-franchise-list"
            ),
            path(
                "franchises/create/",
                self.franchise_create_view.as_view(),
                name="catalogue-franchise-create",
            ),
            path(
                "franchises/<int:pk>/",
                self.franchise_update_view.as_view(),
                name="catalogue-franchise-update",
            ),
            path(
                "franchises/<int:pk>/delete/",
                self.franchise_delete_view.as_view(),
                name="catalogue-franchise-delete",
            ),
            path(
                "content-warnings/",
                self.content_warning_list_view.as_view(),
                name="catalogue-content-warning-list",
            ),
            path(
                "content-warnings/create/",
                self.content_warning_create_view.as_view(),
                name="catalogue-content-warning-create",
            ),
            path(
                "content-warnings/<int:pk>/",
                self.content_warning_update_view.as_view(),
                name="catalogue-content-warning-update",
            ),
            path(
                "content-warnings/<int:pk>/delete/",
                self.content_warning_delete_view.as_view(),
                name="catalogue-content-warning-delete",
            ),
        ]
        # Oscar's own URLs come back already wrapped in their permission checks: wrap only ours.
        return super().get_urls() + self.post_process_urls(taxonomy_urls)
