"""Blog content inside other apps' templates: "Featured in" on the product page, and the article
attribution (`?from=<post slug>`) on links from an article to a product (blog.markup.attributed)."""

from django import template

from blog import markup, selectors

register = template.Library()


@register.inclusion_tag("blog/partials/featured_in.html")
def featured_in(product):
    """`{% featured_in product %}`: the live articles that feature this product, in one query."""
    return {"product": product, "posts": selectors.featured_in(product)}


@register.filter
def attributed(url, post):
    """`{{ product.get_absolute_url|attributed:post }}`: the URL, saying which article sent the reader."""
    return markup.attributed(url, post.slug)
