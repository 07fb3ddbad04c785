from django.apps import AppConfig


class BlogConfig(AppConfig):
    """Explainer articles with live product cards (see issue 4)."""

    name = "blog"
    verbose_name = "Blog"
