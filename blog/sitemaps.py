"""The live posts in /sitemap.xml (registered in shop.sitemaps as "posts")."""

from django.contrib.sitemaps import Sitemap

from .models import Post


class BlogSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published().only("slug", "updated_at").newest_first()

    def lastmod(self, post):
        return post.updated_at
