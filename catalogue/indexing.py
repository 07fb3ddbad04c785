"""The product columns listings read instead of joins and subqueries: search text, the description
as search reads it, warning level, lowest price, availability and character ids.

`listing_fields()` is the one rule that computes them. `refresh_listing_fields()` reads what it
needs, stores the result and says which products changed; receivers.py calls it whenever a
product's franchise, characters, warnings, type, attribute values or stock records change, but
for an order's hold of units that leaves one free (`holding()`), which changes none of them.
Bulk inserts, which send no signals (the demo's synthetic products), call `listing_fields()` on
the rows before inserting them. Code that builds a product in several saves can refresh it once,
at the end, inside `refreshed_once()`.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.html import strip_tags
from oscar.core.loading import get_model

from . import facet_counts
from .generations import bump_listings
from .structured_data import plain_text

Product = get_model("catalogue", "Product")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
StockRecord = get_model("partner", "StockRecord")

LISTING_FIELDS = [
    "search_text",
    "search_description",
    "warning_level",
    "listing_price",
    "is_available",
    "character_ids",
]

# PostgreSQL's full-text configuration: the trigger that writes Product.search_document (migrations
# 0039 and 0048: title weighted A, search_text B, search_description C) and the queries that read
# it must agree.
SEARCH_CONFIG = "english"


# The products a `refreshed_once()` block has changed so far (None outside one).
_pending: ContextVar[set[int] | None] = ContextVar("listing_refresh_pending", default=None)
# The stock record an order is holding units of, while its save signals run (`holding()`).
_held: ContextVar[int | None] = ContextVar("stock_record_being_held", default=None)


@contextmanager
def refreshed_once() -> Iterator[None]:
    """Refresh the listing columns and facet counts of every product changed inside the block
    once, when it ends, rather than after each of its saves (four to eight each for a product
    built step by step: its row, stock record, franchise, characters, warnings, category). For
    code that reads neither inside the block: the demo seed, the tests' factories. Their listings
    are bumped then (catalogue.generations; its own receivers bump as usual meanwhile). Nothing is
    refreshed if the block raises: its transaction is being rolled back."""
    pending: set[int] = set()
    with facet_counts.recounted_once():
        token = _pending.set(pending)
        try:
            yield
        finally:
            _pending.reset(token)
        bump_listings(refresh_listing_fields(pending))


@contextmanager
def holding(record) -> Iterator[None]:
    """Around the save signals of an order holding units of `record` that were free (its
    conditional UPDATE found them: shop.order.utils.allocate), with `record`'s counts read back
    after the hold. Receivers ask `is_hold()` and `hold_leaves_listing()`."""
    token = _held.set(record.pk)
    try:
        yield
    finally:
        _held.reset(token)


def is_hold(record) -> bool:
    """Whether this save of `record` is an order holding its free units: it never brings a
    product back in stock."""
    return record.pk is not None and _held.get() == record.pk


def hold_leaves_listing(record) -> bool:
    """Whether this save of `record` is a hold that leaves its listing columns as they were. Of a
    stock record, they read only its price, which a hold does not write, and whether a unit is
    free, which it was before the hold and still is unless the hold took the last one (then the
    product may be sold out: it is refreshed)."""
    return is_hold(record) and (record.num_in_stock or 0) > (record.num_allocated or 0)


def refresh_listing_fields(product_ids: Iterable[int]) -> set[int]:
    """Recompute the listing columns of these products, their parents and their children; the ids
    of those whose columns changed (their listings are then stale: catalogue.generations). Inside
    `refreshed_once()`, only noted for its end: nothing has changed yet."""
    ids = set(product_ids)
    pending = _pending.get()
    if pending is not None:
        pending |= ids
        return set()
    if not ids:
        return set()
    ids |= set(
        Product.objects.filter(pk__in=ids, parent__isnull=False).values_list("parent_id", flat=True)
    )
    ids |= set(Product.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
    products = (
        Product.objects.filter(pk__in=ids)
        .select_related("franchise", "product_class", "parent__franchise", "parent__product_class")
        .prefetch_related("characters", "content_warnings", "parent__content_warnings")
    )
    attribute_text: dict[int, list[str]] = defaultdict(list)
    for value in ProductAttributeValue.objects.filter(product__in=ids).select_related(
        "attribute", "value_option"
    ):
        attribute_text[value.product_id].append(strip_tags(str(value.value_as_text)))
    records: dict[int, list] = defaultdict(list)  # a parent's offer is its children's
    # `ids` holds every child of its parents already: no OR across the join to the products,
    # which would scan both tables (about 100 ms at 100,000 products, in an order's transaction).
    for record in StockRecord.objects.filter(product_id__in=ids):
        records[record.product_id].append(record)
    children: dict[int, list[int]] = defaultdict(list)
    for product in products:
        if product.parent_id:
            children[product.parent_id].append(product.pk)

    changed = []
    for product in products:
        parent = product.parent
        family = [product, parent] if parent else [product]
        fields = listing_fields(
            product,
            characters=product.characters.all(),
            attribute_text=attribute_text[product.pk],
            warning_levels=[w.level for p in family for w in p.content_warnings.all()],
            offers=records[product.pk] + [r for c in children[product.pk] for r in records[c]],
        )
        if any(getattr(product, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(product, name, value)
            changed.append(product)
    Product.objects.bulk_update(changed, LISTING_FIELDS)
    # A new price band, availability or warning level moves the product between facet cells.
    facet_counts.recount(product.pk for product in changed)
    return {product.pk for product in changed}


def listing_fields(
    product,
    *,
    characters: Iterable,
    attribute_text: Iterable[str],
    warning_levels: Iterable[int],
    offers: list,
) -> dict:
    """The listing columns of one product, from what it is made of: its UPC, franchise and type
    (or its parent's), its characters and attribute values (as text), its description (as text,
    without the spoilers a reader has not revealed: a word only they hold finds nothing), the
    warning levels on it and its parent, and its offers (its stock records, or its children's).
    No query of its own when the franchise, type and parent are loaded or unset."""
    characters = list(characters)
    parent = product.parent
    family = [product, parent] if parent else [product]
    words = [
        product.upc or "",
        *(p.franchise.name for p in family if p.franchise),
        *(character.name for character in characters),
        *(p.product_class.name for p in family if p.product_class),
        *attribute_text,
    ]
    prices = [r.price for r in offers if r.price is not None]
    product_class = product.get_product_class()
    return {
        "search_text": " ".join(w for w in dict.fromkeys(words) if w),
        "search_description": plain_text(product.description or ""),
        "character_ids": " ".join(str(pk) for pk in sorted({c.pk for c in characters})),
        "warning_level": max(warning_levels, default=0),
        "listing_price": min(prices, default=None),
        "is_available": bool(offers)
        and (
            not (product_class and product_class.track_stock)
            or any(r.num_in_stock > (r.num_allocated or 0) for r in offers)
        ),
    }
