"""Which product an embed's key names: the product with that UPC, else the oldest product with
that slug (Oscar's slugs are not unique). Saving a post (blog.services) and showing its cards
(blog.cards) both ask here, so a card always shows the product the post was saved with."""

from __future__ import annotations

from django.db.models import Q


def named_by(keys) -> Q:
    """A filter for every product these keys could name; pass what it finds to `by_key`."""
    return Q(upc__in=keys) | Q(slug__in=keys)


def by_key(keys, candidates) -> dict:
    """{key: product} for each key that names one of `candidates` (products, loaded once)."""
    by_upc = {p.upc: p for p in candidates if p.upc}
    by_slug = {}
    for product in sorted(candidates, key=lambda p: p.pk):
        by_slug.setdefault(product.slug, product)
    return {key: product for key in keys if (product := by_upc.get(key) or by_slug.get(key))}
