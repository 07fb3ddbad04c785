"""Blog content inside other apps' templates: "Featured in" on the product page, and an article's
links to a product, which record the click (blog.attribution)."""

from django import template
from django.urls import reverse

from blog import selectors

register = template.Library()


@register.inclusion_tag("blog/partials/featured_in.html")
def featured_in(product):
    """`{% featured_in product %}`: the live articles that feature this product, in one query."""
    return {"product": product, "posts": selectors.featured_in(product)}


@register.filter
def link_from(product, post):
    """`{{ product|link_from:post }}`: the article's link to the product, the same for every
    reader (blog.views.to_product)."""
    return reverse("blog:to-product", kwargs={"slug": post.slug, "pk": product.pk})
