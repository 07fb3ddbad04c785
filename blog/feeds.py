"""RSS and Atom feeds of the live posts. An item's text is the summary, never the body, so a
post behind a content warning shows nothing more in a feed reader than on its warning screen."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .selectors import published_posts
from .structured_data import author_name, warned_summary

FEED_SIZE = 20


class LatestPostsFeed(Feed):
    description = _("Explainers on anime terms, pin collecting and caring for your merch.")

    def title(self):
        return _("%(shop)s blog") % {"shop": settings.OSCAR_SHOP_NAME}

    def link(self):
        return reverse("blog:index")

    def items(self):
        return published_posts().prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return warned_summary(post.summary, post.content_warnings.all())

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at

    def item_author_name(self, post):
        return author_name(post.author) if post.author else None

    def item_categories(self, post):
        return [t.name for t in post.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description
