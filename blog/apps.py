"""The blog app: explainer articles with live product cards."""

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from catalogue import text_linkers

        from . import glossary_links

        # Product and franchise descriptions link glossary terms as they are saved.
        text_linkers.register(glossary_links.link_description)
        # A warning's level or a term's warnings changed elsewhere: mentions are linked again.
        glossary_links.connect()

        from . import attribution  # noqa: F401 -- its tally counts from the first request
