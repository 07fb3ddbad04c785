"""The public blog: the index, tag and category listings, the article page and the staff preview.

Only live posts (blog.selectors.published_posts) reach the public; drafts and scheduled posts are
404 everywhere except the staff preview, which renders the same template as the article page.
An article behind a mature warning shows its warning screen until the reader chooses to see mature
content (catalogue.consent: the same choice as for products).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from catalogue.buying import confirms_adds, just_added
from catalogue.consent import consent_for, gated_warnings
from catalogue.images import thumbnail_url
from catalogue.parsing import parse_page
from catalogue.structured_data import as_script

from . import attribution, cards, structured_data
from .models import BlogCategory, Post, PostProduct, Tag
from .selectors import article_posts, attach_stand_in_pictures, nearby_posts, published_posts

POSTS_PER_PAGE = 12
# Shared pages of a post without a hero or a product picture show this (1200x630, Open Graph's size).
STAND_IN_SHARE_IMAGE = "shop/img/post-share.png"


# Every blog page only reads the database: no transaction, so SQLite readers never queue for the
# write lock.
@transaction.non_atomic_requests
def index(request):
    return _listing(request, published_posts(), template="blog/index.html")


@transaction.non_atomic_requests
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    posts = published_posts().filter(tags=tag)
    return _listing(request, posts, template="blog/index.html", extra={"tag": tag}, empty_404=True)


@transaction.non_atomic_requests
def category(request, slug):
    category = get_object_or_404(BlogCategory, slug=slug)
    posts = published_posts().filter(category=category)
    return _listing(
        request, posts, template="blog/index.html", extra={"category": category}, empty_404=True
    )


@confirms_adds
@transaction.non_atomic_requests
@require_safe
def detail(request, slug):
    post = get_object_or_404(article_posts().published(), slug=slug)
    attribution.count_view(post.pk)
    return render(request, "blog/detail.html", article_context(request, post))


@never_cache
@require_safe
def to_product(request, slug, pk):
    """An article's link to a product: count the click, remember the article for this reader
    (blog.attribution), go to the product. Only a product the live article shows: anything else
    is a 404, never a redirect elsewhere."""
    link = get_object_or_404(
        PostProduct.objects.select_related("product").filter(
            post__in=Post.objects.published(), product__is_public=True
        ),
        post__slug=slug,
        product_id=pk,
    )
    attribution.record_click(request, post_id=link.post_id, product=link.product)
    return redirect(link.product.get_absolute_url())


@confirms_adds
@transaction.non_atomic_requests
@require_safe
def preview(request, pk):
    """A draft or scheduled post exactly as its article page will show it; staff only."""
    if not request.user.is_staff:
        raise Http404
    post = get_object_or_404(article_posts(), pk=pk)
    return render(request, "blog/detail.html", article_context(request, post, is_preview=True))


def article_context(request, post: Post, *, is_preview: bool = False) -> dict:
    warnings = list(post.content_warnings.all())
    gated = gated_warnings(warnings)
    withheld = consent_for(request).withholds_any(warnings)
    # Cards load even behind the warning screen: the page then runs the same queries, and the
    # structured data still names the products the article mentions.
    segments, products = cards.article_segments(post.body_html)
    absolute_url = request.build_absolute_uri
    adjacent, related = nearby_posts(post)
    graph = structured_data.article_graph(
        post, products=products, absolute_url=absolute_url, faq_shown=not withheld
    )
    return {
        "post": post,
        "is_preview": is_preview,
        "withheld": withheld,
        "warnings": warnings,
        "gated_warnings": gated,
        "notices": [w for w in warnings if w not in gated],
        "segments": [] if withheld else segments,
        "meta_description": structured_data.warned_summary(
            post.seo_description or post.summary, warnings
        ),
        "canonical_url": absolute_url(post.get_absolute_url()),
        **share_image(post, products, absolute_url),
        "author_name": structured_data.author_name(post.author) if post.author else "",
        "structured_data": as_script(graph),
        "adjacent": adjacent,
        "related": related,
        # Back from "Add to basket" on one of this article's cards: that card says so.
        "just_added": just_added(request),
    }


def share_image(post: Post, products: list, absolute_url) -> dict:
    """The article's `og:image` (`hero_url`) and its alt text: the hero; else the share-size picture
    of the first product the article shows that has one and no content warning; else the shop's
    branded stand-in (static/shop/img). Never empty, and no query: the cards are loaded already."""
    if post.hero_image:
        return {
            "hero_url": absolute_url(thumbnail_url(post.hero_image.name, "og")),
            "hero_alt": post.hero_alt,
        }
    for product in products:
        image = product.primary_image()
        if product.warning_level or isinstance(image, dict):  # a dict: Oscar's "no image"
            continue
        return {
            "hero_url": absolute_url(thumbnail_url(image.original.name, "og")),
            "hero_alt": product.get_title(),
        }
    return {"hero_url": absolute_url(static(STAND_IN_SHARE_IMAGE)), "hero_alt": post.title}


def _listing(request, posts, *, template, extra=None, empty_404=False):
    # Summary cards never show the body: leave the longest columns in the database.
    posts = posts.defer("body", "body_html", "body_text", "toc")
    page = Paginator(posts, POSTS_PER_PAGE).get_page(parse_page(request.GET.get("page")))
    if empty_404 and not page.paginator.count:
        raise Http404
    posts = list(page.object_list)
    attach_stand_in_pictures(posts)
    context = {
        "posts": posts,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        **(extra or {}),
    }
    return render(request, template, context)
