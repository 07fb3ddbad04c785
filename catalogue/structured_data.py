"""The product page's schema.org JSON-LD: one graph of Product (with Offer, rating and the latest
reviews, when approved ones exist) and BreadcrumbList.

Built as plain data here and written into the page by `as_script()`, which escapes `<`, `>` and
`&` so no text from the catalogue (a title containing `</script>`) can end the script element.
"""

from __future__ import annotations

import html
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import stock_slots
from .buying import shown_price
from .spoilers import without_spoilers
from .term_markup import without_definitions

SCHEMA = "https://schema.org"
IN_STOCK, OUT_OF_STOCK = f"{SCHEMA}/InStock", f"{SCHEMA}/OutOfStock"
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# Where one block of text ends, so "…first batch.</p><ul><li>35 mm" reads "first batch. 35 mm".
_BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|div|blockquote|tr|td|th)>|<br\s*/?>)", re.IGNORECASE)


def plain_text(markup: str) -> str:
    """A description as search engines and link previews want it: text only, on one line, with
    none of its spoilers (they would be shown where nothing can hide them) nor the definitions of
    the glossary terms it links."""
    shown = without_definitions(without_spoilers(markup))
    text = html.unescape(strip_tags(_BLOCK_END.sub(r"\1 ", shown)))
    return " ".join(text.split())


def product_id(product, absolute_url) -> str:
    """The @id of the product's node: on its own page, and wherever another page mentions it."""
    return f"{absolute_url(product.get_absolute_url())}#product"


def product_graph(page, *, absolute_url, image_url: str | None, withheld: bool) -> dict:
    """`absolute_url(path)` makes a URL absolute; withheld products keep their text and image out."""
    product = page.product
    product_url = absolute_url(product.get_absolute_url())
    node = {
        "@type": "Product",
        "@id": product_id(product, absolute_url),
        "name": product.get_title(),
        "url": product_url,
    }
    if product.upc:
        node["sku"] = product.upc
    if page.franchise:
        node["brand"] = {"@type": "Brand", "name": page.franchise.name}
    if not withheld:
        description = plain_text(page.description)
        if description:
            node["description"] = description
        if image_url:
            node["image"] = [image_url]
    offers = [_offer(card.product, card.info, absolute_url) for card in page.variants]
    if not product.is_parent:
        offers = [_offer(product, page.info, absolute_url)]
    offers = [offer for offer in offers if offer]
    if offers:
        node["offers"] = offers[0] if len(offers) == 1 else offers
    if product.num_approved_reviews and product.rating is not None:
        node["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(product.rating, 2),
            "reviewCount": product.num_approved_reviews,
            "bestRating": 5,
            "worstRating": 1,
        }
        if page.parts.reviews and not withheld:
            node["review"] = [_review(review) for review in page.parts.reviews]
    crumbs = [(_("Home"), absolute_url("/"))]
    crumbs += [(crumb.name, absolute_url(crumb.url)) for crumb in page.parts.breadcrumbs]
    crumbs.append((product.get_title(), product_url))
    breadcrumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }
    return {"@context": SCHEMA, "@graph": [node, breadcrumbs]}


def _review(review) -> dict:
    return {
        "@type": "Review",
        "name": review.title,
        "reviewBody": review.body,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.score,
            "bestRating": 5,
            "worstRating": 1,
        },
        "author": {"@type": "Person", "name": review.reviewer},
        "datePublished": review.date_created.date().isoformat(),
    }


def _offer(product, info, absolute_url) -> dict | None:
    price = info.price
    amount = shown_price(price)
    if amount is None:
        return None
    offer = {
        "@type": "Offer",
        "url": absolute_url(product.get_absolute_url()),
        "price": str(amount),
        "priceCurrency": price.currency,
        # Cut out of a cached page and filled per request, as the stock words are.
        "availability": stock_slots.cut_words(
            product, info.availability, available=IN_STOCK, sold_out=OUT_OF_STOCK
        ),
    }
    if product.upc:
        offer["sku"] = product.upc
    return offer


def as_script(graph: dict) -> SafeString:
    data = json.dumps(graph, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(data))
