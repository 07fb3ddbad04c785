"""The category menu beside listings, built once and kept in the cache until a category changes.

Oscar's `category_tree` tag runs two queries on every page; the menu changes only when staff
edit categories, which bumps the `menu` cache tag (catalogue.generations).
"""

from dataclasses import dataclass

from django import template
from oscar.core.loading import get_model

from catalogue import generations
from catalogue.categories import category_urls
from shop.pagecache import listings

Category = get_model("catalogue", "Category")

register = template.Library()


@dataclass(frozen=True)
class MenuEntry:
    pk: int
    name: str
    url: str
    depth: int


@register.simple_tag
def category_menu() -> list[MenuEntry]:
    return listings.remember("category-menu", {generations.MENU}, _build_menu)


def _build_menu() -> list[MenuEntry]:
    categories = list(Category.objects.browsable().order_by("path"))
    hidden = [c.path for c in categories if c.exclude_from_menu]
    urls = category_urls(categories)  # a browsable category's ancestors are all browsable
    return [
        MenuEntry(c.pk, c.name, urls[c.pk], c.depth)
        for c in categories
        if not any(c.path.startswith(path) for path in hidden)
    ]
