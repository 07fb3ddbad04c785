"""Fork of Oscar's search app onto database queries: no Haystack index, no search server."""

import oscar.apps.search.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class SearchConfig(apps.SearchConfig):
    name = "shop.search"

    def ready(self):
        super().ready()
        self.suggestions_view = get_class("search.views", "suggestions")

    def get_urls(self):
        urls = [path("suggest/", self.suggestions_view, name="suggest")]
        return super().get_urls() + self.post_process_urls(urls)
