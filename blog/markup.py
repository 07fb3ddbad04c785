"""A post's Markdown → sanitised HTML with heading anchors, a table of contents, reading time and
the products it embeds or links to. Pure functions: no database, no request.

Embeds are lines of their own:

    [[product:PIN-CHEEKY-PINK]]                  one live product card (UPC, or the product's slug)
    [[products:PIN-KON-FOX, STK-KON-FOX]]        a row of cards

Spoilers (`||…||` inline, `:::spoiler Label` … `:::` blocks) are blog.spoiler_markdown's.

They become `<div data-product-embed="...">` placeholders that survive sanitising; the live cards
(price, stock, basket button) are put in at request time by blog.cards, after sanitising.

Links from an article to a product page go through the article's own link to it
(`link_through`, blog.attribution), which records the click: the same URL for every reader.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
from django.utils.html import strip_tags

from catalogue.parsing import parse_id
from catalogue.spoiler_syntax import outside_links
from catalogue.spoilers import without_spoilers
from catalogue.staff_html import sanitise
from catalogue.structured_data import plain_text

from .spoiler_markdown import SpoilerExtension

WORDS_PER_MINUTE = 200
MAX_ROW = 6

EMBED_LINE = re.compile(r"^\[\[product:\s*([^\]\s]+)\s*\]\]\s*$", re.MULTILINE)
ROW_LINE = re.compile(r"^\[\[products:\s*([^\]]+?)\s*\]\]\s*$", re.MULTILINE)
PLACEHOLDER = re.compile(r'<div data-product-(embed|row)="([^"]*)"></div>')
# Oscar's product URL: /catalogue/<slug>_<pk>/ (relative, or absolute on any host we serve).
PRODUCT_PATH = re.compile(r"^/catalogue/[\w-]*_(\d+)/$")
HREF = re.compile(r'<a href="([^"]*)"')
ALT = re.compile(r'<img\b[^>]*?\salt="([^"]*)"')

# What the renderer writes beyond the shared policy: heading anchors and embed placeholders.
MARKUP_ATTRIBUTES = {
    "div": {"data-product-embed", "data-product-row"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}


@dataclass(frozen=True)
class ProductRef:
    """A product the body points at: by UPC/slug (an embed) or by pk (a link to its page)."""

    key: str = ""
    pk: int | None = None
    is_embedded: bool = False


@dataclass
class Rendered:
    html: str
    text: str = ""  # what search reads: the text, without the spoilers
    toc: list[dict] = field(default_factory=list)  # [{"id", "name", "level"}] for h2/h3
    reading_minutes: int = 1
    products: list[ProductRef] = field(default_factory=list)


def render(body: str, *, link_through=None, own_hosts: frozenset[str] = frozenset()) -> Rendered:
    """Render a post body. A link to a product page becomes `link_through(product id)` when given
    (the article's link to the product, which records the click); `own_hosts` are the hosts whose
    links are not external."""
    source = EMBED_LINE.sub(lambda m: _placeholder("embed", m.group(1)), body)
    source = ROW_LINE.sub(lambda m: _placeholder("row", _row_keys(m.group(1))), source)
    md = markdown.Markdown(
        extensions=["extra", "sane_lists", "toc", SpoilerExtension()],
        extension_configs={"toc": {"toc_depth": "2-3"}},
        output_format="html",
    )
    # Headings start at h2: the page's h1 is the title.
    html = md.convert(_shift_headings(source))
    html = sanitise(html, own_hosts=own_hosts, attributes=MARKUP_ATTRIBUTES)
    html = outside_links(html)  # a spoiler in a link's text: a click reveals, not follows
    html, products = _mark_links(html, link_through=link_through)
    embeds = [
        ProductRef(key=key, is_embedded=True)
        for kind, keys in PLACEHOLDER.findall(html)
        for key in keys.split()
    ]
    words = len(strip_tags(html).split())
    return Rendered(
        html=html,
        text=plain_text(html),
        toc=_outside_spoilers(_flatten(md.toc_tokens), html),
        reading_minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)),
        products=_unique(embeds + products),
    )


def alt_texts(html: str) -> list[str]:
    """The alt texts of the images in rendered HTML (escaped as stored)."""
    return ALT.findall(html)


def split_embeds(html: str) -> list[tuple[str, list[str]]]:
    """Stored HTML as (html before, keys of the cards that follow) pairs, for blog.cards."""
    parts, start = [], 0
    for match in PLACEHOLDER.finditer(html):
        parts.append((html[start : match.start()], match.group(2).split()))
        start = match.end()
    parts.append((html[start:], []))
    return parts


def _placeholder(kind: str, keys: str) -> str:
    safe = re.sub(r"[^\w\- ]", "", keys)
    return f'\n\n<div data-product-{kind}="{safe}"></div>\n\n'


def _row_keys(keys: str) -> str:
    return " ".join([k.strip() for k in keys.split(",") if k.strip()][:MAX_ROW])


def _shift_headings(source: str) -> str:
    return re.sub(r"^(#{1,5})(?=\s)", r"#\1", source, flags=re.MULTILINE)


def _mark_links(html: str, *, link_through):
    """Links to product pages are recorded and go through `link_through`. External links start
    `<a rel=` (catalogue.staff_html) and are left alone."""
    products: list[ProductRef] = []

    def mark(match):
        href = match.group(1)
        url = urlsplit(href.replace("&amp;", "&"))
        product_path = PRODUCT_PATH.match(url.path)
        pk = parse_id(product_path.group(1)) if product_path else None
        if pk is not None and not url.query:
            products.append(ProductRef(pk=pk))
            if link_through is not None:
                href = link_through(pk)
        return f'<a href="{href}"'

    return HREF.sub(mark, html), products


def _flatten(tokens: list[dict]) -> list[dict]:
    flat = []
    for token in tokens:
        flat.append({"id": token["id"], "name": strip_tags(token["name"]), "level": token["level"]})
        flat.extend(_flatten(token.get("children", [])))
    return flat


def _outside_spoilers(toc: list[dict], html: str) -> list[dict]:
    """The contents list is always visible: a heading hidden in a spoiler stays out of it."""
    shown = without_spoilers(html)
    return [heading for heading in toc if f'id="{heading["id"]}"' in shown]


def _unique(refs: list[ProductRef]) -> list[ProductRef]:
    seen, unique = set(), []
    for ref in refs:
        identity = (ref.key, ref.pk)
        if identity not in seen:
            seen.add(identity)
            unique.append(ref)
    return unique
