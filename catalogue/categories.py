"""Category URLs worked out from rows already read, without Oscar's per-category lookups.

Oscar's `Category.get_absolute_url()` builds the path of slugs by asking the database for each
parent whose full slug is not in the cache: on a cold cache, one query per ancestor, per category.
A menu or a breadcrumb trail already holds every ancestor of the categories it shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse


def category_urls(categories: Iterable) -> dict[int, str]:
    """pk → URL of each category, for a collection that holds every ancestor of each of them
    (a category whose parent is missing falls back to Oscar's own lookup)."""
    full_slugs: dict[str, str] = {}
    urls = {}
    for category in sorted(categories, key=lambda c: c.path):
        parent_path = category.path[: -category.steplen]
        if category.depth == 1:
            full_slug = category.slug
        elif parent_path in full_slugs:
            full_slug = f"{full_slugs[parent_path]}{category._slug_separator}{category.slug}"
        else:
            urls[category.pk] = category.get_absolute_url()
            continue
        full_slugs[category.path] = full_slug
        urls[category.pk] = reverse(
            "catalogue:category", kwargs={"category_slug": full_slug, "pk": category.pk}
        )
    return urls
