"""Live product cards in an article: the stored body's embed placeholders, resolved per request.

`post.body_html` keeps `<div data-product-embed="KEY">` / `<div data-product-row="K1 K2">` where
the author wrote `[[product:KEY]]` / `[[products:K1, K2]]` (blog.markup). At request time every key
of the page is looked up at once (by UPC, else by slug: blog.product_keys) and loaded with what a
listing tile needs (catalogue.selectors), so price and stock come from Oscar's strategy as they
are now, in the same few queries for 1 or 100 cards. A key whose product is unpublished or
deleted yields no card.

Attribution: every card link, and every Markdown link to a product page, goes through the
article's link to the product (`blog:to-product`, blog.attribution), which records the click; the
card's add-to-basket form posts the article's id as `article` beside Oscar's `next` (which brings
the reader back to the article). Both are the same for every reader, so the article stays one
cached page.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from oscar.core.loading import get_model

from catalogue.selectors import for_tiles, load_tile_extras

from . import markup, product_keys

Product = get_model("catalogue", "Product")


@dataclass
class Segment:
    """Stored HTML, then the cards of the embed that follows it (empty for the last segment)."""

    html: SafeString
    cards: list = field(default_factory=list)

    @property
    def is_row(self) -> bool:
        return len(self.cards) > 1


def live_products(keys: list[str]) -> dict[str, Product]:
    """Public, listable products for these UPCs or slugs: {key: product}, in a fixed number of
    queries (one, its prefetches, and one per tile extra that some product needs)."""
    keys = list(dict.fromkeys(k for k in keys if k))
    if not keys:
        return {}
    # Children are not listed on their own (their title and image live on the parent).
    found = list(for_tiles(Product.objects.browsable().filter(product_keys.named_by(keys))))
    load_tile_extras(found)
    return product_keys.by_key(keys, found)


def article_segments(body_html: str) -> tuple[list[Segment], list[Product]]:
    """The body split at its embeds, each followed by its live cards; and the products shown,
    once each in body order (for the article's structured data).

    Each card has its own `card_anchor`, the fragment its add-to-basket form returns to:
    "product-<id>" for a product's first card, "product-<id>-2" and so on for its later ones
    (a copy of the same loaded product, so no query)."""
    parts = markup.split_embeds(body_html)
    products = live_products([key for _, keys in parts for key in keys])
    segments, shown, seen = [], {}, {}
    for html, keys in parts:
        cards = []
        for key in keys:
            if key not in products:
                continue
            product = products[key]
            seen[product.pk] = seen.get(product.pk, 0) + 1
            if seen[product.pk] == 1:
                product.card_anchor = f"product-{product.pk}"
            else:
                product = copy.copy(product)
                product.card_anchor = f"product-{product.pk}-{seen[product.pk]}"
            cards.append(product)
            shown.setdefault(product.pk, product)
        # The HTML was sanitised when the post was saved (blog.markup.render).
        segments.append(Segment(html=mark_safe(html), cards=cards))
    return segments, list(shown.values())
