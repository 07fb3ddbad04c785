"""The public blog: the index, tag and category listings, the article page and the staff preview.

Only live posts (blog.selectors.published_posts) reach the public; drafts and scheduled posts are
404 everywhere except the staff preview, which renders the same template as the article page.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from oscar.core.loading import get_model

from catalogue.images import thumbnail_url
from catalogue.structured_data import as_script

from . import cards, structured_data
from .models import BlogCategory, Post, Tag
from .selectors import article_posts, nearby_posts, published_posts

ContentWarning = get_model("catalogue", "ContentWarning")

POSTS_PER_PAGE = 12
# The mature (or adult) warnings a reader has continued past, by slug: one choice per warning.
SEEN_WARNINGS_KEY = "blog_seen_warnings"


# Every blog page only reads the database (continuing past a warning writes the session, which the
# session middleware saves): no transaction, so SQLite readers never queue for the write lock.
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


@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def detail(request, slug):
    post = get_object_or_404(article_posts().published(), slug=slug)
    if request.method == "POST":
        return _continue_past_warnings(request, post)
    return render(request, "blog/detail.html", article_context(request, post))


@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def preview(request, pk):
    """A draft or scheduled post exactly as its article page will show it; staff only."""
    if not request.user.is_staff:
        raise Http404
    post = get_object_or_404(article_posts(), pk=pk)
    if request.method == "POST":
        return _continue_past_warnings(request, post)
    return render(request, "blog/detail.html", article_context(request, post, is_preview=True))


def article_context(request, post: Post, *, is_preview: bool = False) -> dict:
    warnings = list(post.content_warnings.all())
    gated = [w for w in warnings if w.level >= ContentWarning.Level.MATURE]
    seen = set(request.session.get(SEEN_WARNINGS_KEY, ())) if gated else set()
    withheld = any(w.slug not in seen for w in gated)
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
        "meta_description": meta_description(post, gated),
        "canonical_url": absolute_url(post.get_absolute_url()),
        "hero_url": absolute_url(thumbnail_url(post.hero_image.name, "og"))
        if post.hero_image
        else "",
        "author_name": structured_data.author_name(post.author) if post.author else "",
        "structured_data": as_script(graph),
        "adjacent": adjacent,
        "related": related,
    }


def meta_description(post: Post, gated_warnings: list) -> str:
    """What search results and link previews quote: the summary, never body text; a warned
    post adds its warnings' names."""
    text = post.seo_description or post.summary
    if gated_warnings:
        names = ", ".join(w.name for w in gated_warnings)
        text = f"{text} Content warning: {names}."
    return text.strip()


def _continue_past_warnings(request, post: Post):
    """The reader chose to read on: remember each of this post's warnings for the session."""
    seen = set(request.session.get(SEEN_WARNINGS_KEY, ()))
    seen.update(w.slug for w in post.content_warnings.all())
    request.session[SEEN_WARNINGS_KEY] = sorted(seen)
    return redirect(request.path)


def _listing(request, posts, *, template, extra=None, empty_404=False):
    # Summary cards never show the body: leave the longest columns in the database.
    posts = posts.defer("body", "body_html", "toc")
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    if empty_404 and not page.paginator.count:
        raise Http404
    context = {
        "posts": page.object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        **(extra or {}),
    }
    return render(request, template, context)
