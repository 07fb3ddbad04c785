"""Fork of Oscar's search app onto database queries: no Haystack index, no search server."""

import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    name = "shop.search"
