"""Reading posts for the public: what is live, and which live posts feature a product."""

from django.db.models import QuerySet

from .models import Post


def published_posts() -> QuerySet:
    """Live posts, newest first, with what a summary card shows."""
    return (
        Post.objects.published()
        .select_related("author", "category")
        .prefetch_related("content_warnings")
        .order_by("-published_at", "-pk")
    )


def featured_in(product, *, limit: int = 5) -> list[Post]:
    """Live posts that embed or link to the product (or its parent), newest first: one query."""
    ids = [product.pk, product.parent_id] if product.parent_id else [product.pk]
    return list(
        Post.objects.published()
        .filter(featured__product_id__in=ids)
        .distinct()
        .only("title", "slug", "summary", "published_at", "reading_minutes")
        .order_by("-published_at", "-pk")[:limit]
    )
