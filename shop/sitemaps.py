"""Sitemaps of the storefront: products, categories, franchises, blog posts, glossary terms and the
fixed pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from oscar.core.loading import get_model

from blog.sitemaps import BlogSitemap, GlossarySitemap

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Franchise = get_model("catalogue", "Franchise")


class ProductSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return Product.objects.browsable().only("id", "slug", "date_updated").order_by("id")

    def lastmod(self, product):
        return product.date_updated


class CategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Category.objects.filter(is_public=True).order_by("path")


class FranchiseSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Franchise.objects.order_by("slug")


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "catalogue:index", "blog:index", "glossary:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "franchises": FranchiseSitemap,
    "posts": BlogSitemap,
    "glossary": GlossarySitemap,
}
