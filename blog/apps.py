"""The blog app: explainer articles with live product cards."""

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from . import attribution  # noqa: F401 -- its tally counts from the first request
