"""The live posts and glossary terms in /sitemap.xml (registered in shop.sitemaps as "posts" and
"glossary")."""

from django.contrib.sitemaps import Sitemap

from .models import Post, Term


class BlogSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published().only("slug", "updated_at").newest_first()

    def lastmod(self, post):
        return post.updated_at


class GlossarySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Term.objects.published().only("slug", "updated_at").order_by("name")

    def lastmod(self, term):
        return term.updated_at
