"""The blog app: its config hooks the articles into the shop's search page."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    """Explainer articles with live product cards (see issue 4)."""

    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        # shop may import blog, not the other way round: the blog offers its articles to the
        # search page through shop.search.sections' registry, which knows nothing of posts.
        from shop.search.sections import SearchSection, register

        from .selectors import matching_articles

        register(
            SearchSection(
                key="articles",
                title=_("Articles"),
                template="blog/partials/search_results.html",
                find=matching_articles,
            )
        )
