"""Reading posts for the public: what is live, what an article page shows around it, which live
posts feature a product, which match a search, and when the next scheduled post goes live."""

from datetime import datetime

from django.db.models import Case, Exists, Min, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

from .models import NEWEST_FIRST, Post, PostProduct

ProductImage = get_model("catalogue", "ProductImage")

RELATED_POSTS = 3
MAX_SEARCH_WORDS = 10
# What a link to a post shows (title, summary, date, reading time: blog/partials/dateline.html)
# and orders by: the columns loaded for "Featured in", related articles and search results.
TEASER_FIELDS = ("title", "slug", "summary", "published_at", "reading_minutes")


def published_posts() -> QuerySet:
    """Live posts, newest first, with what a summary card shows."""
    return (
        Post.objects.published()
        .select_related("author", "category")
        .prefetch_related("content_warnings")
        .newest_first()
    )


def next_scheduled_at(*, now=None) -> datetime | None:
    """When the next scheduled post goes live (None while none is scheduled), in one query:
    from then on every page that lists posts shows one more."""
    return Post.objects.scheduled(now=now).aggregate(first=Min("published_at"))["first"]


def featured_in(product, *, limit: int = 5) -> list[Post]:
    """Live posts that embed or link to the product (or its parent), newest first: one query."""
    ids = [product.pk, product.parent_id] if product.parent_id else [product.pk]
    return list(
        Post.objects.published()
        .filter(featured__product_id__in=ids)
        .distinct()
        .only(*TEASER_FIELDS)
        .newest_first()[:limit]
    )


def article_posts():
    """Posts with everything the article page shows about them."""
    return Post.objects.select_related("author", "category").prefetch_related(
        "tags", "content_warnings", "faq_entries"
    )


def nearby_posts(post: Post) -> tuple[dict, list[Post]]:
    """The live posts just older ("previous") and just newer ("next") than this one, and up to
    three sharing a tag or a featured product, newest first: all in one query."""
    live = Post.objects.published().exclude(pk=post.pk)
    tag_ids = [t.pk for t in post.tags.all()]
    shares = Exists(
        Post.tags.through.objects.filter(post_id=OuterRef("pk"), tag_id__in=tag_ids)
    ) | Exists(
        PostProduct.objects.filter(
            post_id=OuterRef("pk"),
            product_id__in=PostProduct.objects.filter(post=post).values("product_id"),
        )
    )
    is_adjacent = Q(pk__in=[])
    if post.is_public:  # a draft in preview has no place in the sequence yet
        moment = post.published_at
        older = live.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=post.pk))
        newer = live.filter(Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=post.pk))
        # Scalar subqueries, not a UNION: SQLite cannot LIMIT inside one.
        is_adjacent = Q(pk=Subquery(older.newest_first().values("pk")[:1])) | Q(
            pk=Subquery(newer.newest_first().reverse().values("pk")[:1])
        )
    found = (
        live.annotate(
            is_adjacent=Case(When(is_adjacent, then=True), default=False),
            shares=Case(When(shares, then=True), default=False),
        )
        .filter(Q(is_adjacent=True) | Q(shares=True))
        .only(*TEASER_FIELDS)
        # The (at most two) adjacent posts first, so the limit never cuts them off.
        .order_by("-is_adjacent", *NEWEST_FIRST)[: 2 + RELATED_POSTS]
    )
    adjacent, related = {}, []
    for other in found:
        if other.is_adjacent:
            is_older = (other.published_at, other.pk) < (post.published_at, post.pk)
            adjacent["previous" if is_older else "next"] = other
        if other.shares:
            related.append(other)
    return adjacent, related[:RELATED_POSTS]


def matching_articles(query: str, limit: int) -> list[Post]:
    """Live posts whose title, summary or body has every word of the query: one query. The body
    as readers see it before revealing anything (`body_text`): a word only its spoilers hold finds
    nothing. The search page's "Articles" section (shop.search.views)."""
    posts = Post.objects.published()
    words = query.split()[:MAX_SEARCH_WORDS]
    if not words:
        return []
    for word in words:
        posts = posts.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body_text__icontains=word)
        )
    return list(posts.only(*TEASER_FIELDS).newest_first()[:limit])


def attach_stand_in_pictures(posts) -> None:
    """Give each post without a hero a `stand_in_picture`: the original-image name of the first
    product it features that is public, carries no content warning and has a picture (a variant's
    own, else its parent's), or "" when none does. One query, and none when every post has a hero."""
    heroless = {post.pk: post for post in posts if not post.hero_image}
    if not heroless:
        return

    def first_image(of: str) -> Subquery:
        images = ProductImage.objects.filter(product=OuterRef(of)).order_by("display_order", "pk")
        return Subquery(images.values("original")[:1])

    rows = (
        PostProduct.objects.filter(
            post_id__in=heroless, product__is_public=True, product__warning_level=0
        )
        .annotate(picture=Coalesce(first_image("product"), first_image("product__parent")))
        .filter(picture__isnull=False)
        .order_by("post_id", "position")
        .values_list("post_id", "picture")
    )
    found = {}
    for post_id, picture in rows:
        found.setdefault(post_id, picture)
    for post_id, post in heroless.items():
        post.stand_in_picture = found.get(post_id, "")


def popular_articles(limit: int) -> list[Post]:
    """Live posts whose featured products sold the most, then the newest: one query. What the
    search page offers when nothing matched (shop.search.views)."""
    return list(
        Post.objects.published()
        .annotate(sold=Coalesce(Sum("featured__product__num_purchases"), 0))
        .only(*TEASER_FIELDS)
        .order_by("-sold", *NEWEST_FIRST)[:limit]
    )
