"""The category menu beside listings, built once and kept in the cache until a category changes.

Oscar's `category_tree` tag runs two queries on every page; the menu changes only when staff
edit categories, which starts a new catalogue.generations.CATEGORY_MENU.
"""

from dataclasses import dataclass

from django import template
from django.core.cache import cache
from oscar.core.loading import get_model

from catalogue.generations import CATEGORY_MENU

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
    key = f"shop:category-menu:{CATEGORY_MENU.current()}"
    menu = cache.get(key)
    if menu is None:
        categories = list(Category.objects.browsable().order_by("path"))
        hidden = [c.path for c in categories if c.exclude_from_menu]
        menu = [
            MenuEntry(c.pk, c.name, c.get_absolute_url(), c.depth)
            for c in categories
            if not any(c.path.startswith(path) for path in hidden)
        ]
        cache.set(key, menu, timeout=24 * 60 * 60)  # old generations expire unread
    return menu
