"""Cache generations: what the shop keeps in the cache, and the models whose change throws it away.

Each cached thing keys its entries on a generation number. A change to any of the generation's
sources (saved, deleted, or an m2m relation changed) starts a new generation, so every entry of
the old one is dropped at once and expires unread. To show something new on a cached page, add
its model to the generations that keep that page (tests/test_cache_generations.py checks that
every table a cached page reads is a source).

Sources are model labels, not imports: the whole-page generation names blog models, and the
catalogue never imports the blog. `connect()` (catalogue.apps) hooks every generation to its
sources' signals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save


@dataclass(frozen=True)
class Generation:
    name: str
    sources: tuple[str, ...]  # "app_label.Model"; an m2m table is its through model's label

    @property
    def key(self) -> str:
        return f"generation:{self.name}"

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, time.time_ns(), None)  # another process may have won: reread
            value = cache.get(self.key, 0)
        return value

    def bump(self, *, raw: bool = False, **signal_kwargs) -> None:
        """Start a new generation; connected as a signal receiver (fixtures loaded raw excepted)."""
        if not raw:
            cache.set(self.key, time.time_ns(), None)

    def source_models(self) -> list:
        return [apps.get_model(label) for label in self.sources]


_PRODUCT = (
    "catalogue.Product",
    "catalogue.Product_characters",
    "catalogue.Product_content_warnings",
    "catalogue.ProductClass",
    "catalogue.ProductClass_options",
    "catalogue.Option",
    "catalogue.Product_product_options",
    "catalogue.ProductAttribute",
    "catalogue.ProductAttributeValue",
    "catalogue.AttributeOption",
    "catalogue.Category",
    "catalogue.ProductCategory",
    "catalogue.Franchise",
    "catalogue.Character",
    "catalogue.ContentWarning",
)

PRODUCT_PAGE_PARTS = Generation(
    # catalogue.product_page: images, attributes, breadcrumbs, cast, reviews and related products
    # of every product page (price and stock are read live).
    "product-page-parts",
    sources=(
        *_PRODUCT,
        "catalogue.ProductImage",
        "catalogue.ProductRecommendation",
        "reviews.ProductReview",
    ),
)

LISTING_PARTS = Generation(
    # shop.pagecache.listings: facet counts, which products are on each listing page, and the
    # home page's picks; each names products, whose tiles are then read live.
    "listing-parts",
    sources=(*_PRODUCT, "partner.StockRecord", "catalogue.FacetCount"),
)

CATEGORY_MENU = Generation(
    # The category menu beside listings (shop.templatetags.shop_menu).
    "category-menu",
    sources=("catalogue.Category",),
)

WHOLE_PAGES = Generation(
    # shop.pagecache.middleware: finished storefront and blog pages for anonymous shoppers. They
    # show everything above, live prices and stock included, and the blog.
    "whole-pages",
    sources=(
        *PRODUCT_PAGE_PARTS.sources,
        "partner.StockRecord",
        "catalogue.FacetCount",
        "blog.Post",
        "blog.Post_tags",
        "blog.Post_content_warnings",
        "blog.PostProduct",
        "blog.FAQEntry",
        "blog.Tag",
        "blog.BlogCategory",
    ),
)

GENERATIONS = (PRODUCT_PAGE_PARTS, LISTING_PARTS, CATEGORY_MENU, WHOLE_PAGES)


def bump_all() -> None:
    """After writes that send no signals (bulk inserts): everything cached may be stale."""
    for generation in GENERATIONS:
        generation.bump()


def connect() -> None:
    for generation in GENERATIONS:
        for model in generation.source_models():
            uid = f"generation-{generation.name}-{model._meta.label}"
            if model._meta.auto_created:  # an m2m through table: its rows change by m2m_changed
                m2m_changed.connect(
                    _bump_on_m2m(generation), sender=model, dispatch_uid=uid, weak=False
                )
            else:
                post_save.connect(generation.bump, sender=model, dispatch_uid=f"{uid}-save")
                post_delete.connect(generation.bump, sender=model, dispatch_uid=f"{uid}-delete")


def _bump_on_m2m(generation: Generation):
    def receiver(action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            generation.bump()

    return receiver
