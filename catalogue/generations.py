"""Cache tags: what each cached thing shows, and which changes make it stale.

Everything the shop caches is stored with the versions of the tags it read: `product:<id>` (one
product's page, its tile, its price), `stock:<id>` (its stock words: catalogue.stock_slots),
`listing:all`, `franchise:<id>` and
`category:<id>` (which products a listing holds and its facet counts), `taxonomy` (categories,
franchises, characters, product types, options and attributes: names every page shows), `menu`
(the category menu), `blog` (posts), `glossary` (the glossary's terms), `offers` (the site
offers the basket applies: offers, their conditions, benefits and ranges) and `everything` (read
by all; `bump_all()`). An entry is fresh while every tag it read still has the version it saw:
one `get_many` of the tag keys.

A change bumps only the tags of what it touches (`TAG_SOURCES` declares, for each tag family,
the models whose rows it shows: tests/test_cache_generations.py checks that every table a cached
page reads is a source of a tag the page read). A product's edit bumps its own tag and the
listings it is, or was, in; a stock change bumps the product only when its price changes, its
`stock:<id>` when its stock words change (`stock_words`; cached pages fill those words per
request, catalogue.stock_slots), and listings only when its listing columns change
(catalogue.indexing). A tag
is bumped when the transaction commits: until then other requests read the old rows, which the
old version describes; one that read them and stores after the commit keeps them under the old
version, which the bump retires, and one that began before a bump is not stored (`stamp_after`).

While a page renders, `collecting()` gathers every tag read (`read()`), so the whole-page cache
(shop.pagecache) stores the union. Sources are model labels, not imports: the blog's models are
named, and the catalogue never imports the blog. `connect()` (catalogue.apps) hooks the signals.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from . import cache_batches

EVERYTHING = "everything"
TAXONOMY = "taxonomy"
MENU = "menu"
BLOG = "blog"
GLOSSARY = "glossary"
ALL_LISTINGS = "listing:all"
OFFERS = "offers"

# A page is not stored when a tag it read was bumped after its render began (less this margin,
# for app servers whose clocks disagree): it may have read rows older than that version.
CLOCK_MARGIN_NS = 0


def product(pk) -> str:
    return f"product:{pk}"


def franchise(pk) -> str:
    return f"franchise:{pk}"


def category(pk) -> str:
    return f"category:{pk}"


def stock(pk) -> str:
    return f"stock:{pk}"


@dataclass(frozen=True)
class TagFamily:
    name: str
    sources: tuple[str, ...]  # "app_label.Model"; an m2m table is its through model's label

    def source_models(self) -> list:
        return [apps.get_model(label) for label in self.sources]


TAG_SOURCES = (
    TagFamily(
        "taxonomy",
        (
            "catalogue.ProductClass",
            "catalogue.ProductClass_options",
            "catalogue.Option",
            "catalogue.ProductAttribute",
            "catalogue.AttributeOption",
            "catalogue.Category",
            "catalogue.Franchise",
            "catalogue.Character",
            "catalogue.ContentWarning",
        ),
    ),
    TagFamily("menu", ("catalogue.Category",)),
    TagFamily(
        # product:<id>: the product page (its parts, variants, "Featured in"), and its tile anywhere.
        "product",
        (
            "catalogue.Product",
            "catalogue.Product_characters",
            "catalogue.Product_content_warnings",
            "catalogue.Product_product_options",
            "catalogue.ProductAttributeValue",
            "catalogue.ProductCategory",
            "catalogue.ProductImage",
            "catalogue.ProductRecommendation",
            "reviews.ProductReview",
            "partner.StockRecord",
            "blog.Post",
            "blog.PostProduct",
        ),
    ),
    TagFamily(
        # stock:<id>: the product's stock words where a page shows them without cutting them out
        # (catalogue.stock_slots): a parent page's variants, related products' cards.
        "stock",
        ("partner.StockRecord", "catalogue.Product"),
    ),
    TagFamily(
        # listing:all, franchise:<id>, category:<id>: which products, in which order, with which
        # facet counts. They read the listing columns (catalogue.indexing), kept from these.
        "listing",
        (
            "catalogue.Product",
            "catalogue.Product_characters",
            "catalogue.Product_content_warnings",
            "catalogue.ProductAttributeValue",
            "catalogue.ProductCategory",
            "partner.StockRecord",
        ),
    ),
    TagFamily(
        "blog",
        (
            "blog.Post",
            "blog.Post_tags",
            "blog.Post_content_warnings",
            "blog.PostProduct",
            "blog.FAQEntry",
            "blog.Tag",
            "blog.BlogCategory",
        ),
    ),
    TagFamily(
        # The glossary's pages: terms, the names they answer to, and what each entry lists.
        "glossary",
        (
            "blog.Term",
            "blog.TermAlias",
            "blog.Term_related_products",
            "blog.Term_content_warnings",
            "blog.Term_see_also",
            "blog.PostTerm",
        ),
    ),
    TagFamily(
        # The site offers as defined (shop.offer.applicator.site_offers). Which products a range
        # holds is not kept: the basket's lines query asks that of the database every time.
        "offers",
        (
            "offer.ConditionalOffer",
            "offer.ConditionalOffer_combinations",
            "offer.Condition",
            "offer.Benefit",
            "offer.Range",
        ),
    ),
)


def family_of(tag: str) -> str:
    name = tag.split(":", 1)[0]
    return "listing" if name in ("franchise", "category") else name


# --- Versions ----------------------------------------------------------------------------


def _key(tag: str) -> str:
    return f"tag:{tag}"


def _new_version() -> int:
    """Unique across processes, and ordered by time: `time_ns` with random low digits."""
    return time.time_ns() * 1000 + random.randrange(1000)


def versions(tags: Iterable[str], *, also: Iterable[str] = ()) -> tuple[dict[str, int], dict]:
    """The current version of each tag (`everything` included), and the cache values of the keys
    `also` names, in one round trip. A tag never bumped (or evicted) gets a new version now."""
    tags = {EVERYTHING, *tags}
    also = list(also)
    found = cache.get_many([*(_key(tag) for tag in tags), *also])
    current = {tag: found.get(_key(tag)) for tag in tags}
    missing = [tag for tag, version in current.items() if version is None]
    if missing:
        # Random, and dated at the epoch: no render began before it (`stamp_after`). Another
        # process may have added or bumped one meanwhile: what the keys hold now is read back.
        reread = cache_batches.add_and_read(
            {_key(tag): random.randrange(1, 10**12) for tag in missing}
        )
        current.update({tag: reread.get(_key(tag), 0) for tag in missing})
    return current, {key: found[key] for key in also if key in found}


def is_current(stamp: dict[str, int], now: dict[str, int]) -> bool:
    return all(now.get(tag) == version for tag, version in stamp.items())


def stamp_after(
    tags: Iterable[str], *, started_ns: int, read: dict[str, int] | None = None
) -> dict[str, int] | None:
    """The versions to store with something computed from rows read since `started_ns`; None when
    a tag was bumped since (or just before): what was read may be older than its version.
    `read`: the versions of these tags (and maybe others) just read with `versions()`."""
    tags = {EVERYTHING, *tags}
    if read is None:
        read, _ = versions(tags)
    stamp = {tag: read[tag] for tag in tags}
    as_of = _reads_as_of.get()
    read_as_of = started_ns if as_of is None else min(started_ns, as_of)
    return stamp if shows_all_of(stamp, as_of_ns=read_as_of) else None


def shows_all_of(stamp: dict[str, int], *, as_of_ns: int | None = None) -> bool:
    """Whether rows read as of `as_of_ns` (by default: as of the copy being read, see
    `reading_as_of`, else now) include every change these versions were bumped for."""
    if as_of_ns is None:
        as_of_ns = _reads_as_of.get()
    if as_of_ns is None:
        return True
    return max(stamp.values()) // 1000 < as_of_ns - CLOCK_MARGIN_NS


# When reads go to a copy of the database (a read replica), the time up to which it is known to
# hold every commit: what is built from it may be older than the moment it was built.
_reads_as_of: ContextVar[int | None] = ContextVar("cache_reads_as_of", default=None)


@contextmanager
def reading_as_of(as_of_ns: int) -> Iterator[None]:
    token = _reads_as_of.set(as_of_ns)
    try:
        yield
    finally:
        _reads_as_of.reset(token)


def bump(tags: Iterable[str]) -> None:
    """New versions for these tags when the transaction commits (now, outside one). Not also at
    once: until the commit, other requests read the old rows, so a rebuild then would only keep
    them under a version the commit retires, a second build of every page the change touches."""
    tags = set(tags)
    if not tags:
        return
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _set_new_versions(tags))
    else:
        _set_new_versions(tags)


def _set_new_versions(tags: set[str]) -> None:
    cache.set_many({_key(tag): _new_version() for tag in tags}, None)


def bump_all() -> None:
    """After writes that send no signals (bulk inserts): everything cached may be stale."""
    bump([EVERYTHING])


# --- What a request read -----------------------------------------------------------------

_collected: ContextVar[set[str] | None] = ContextVar("cache_tags_collected", default=None)


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Gather the tags everything read inside the block reads (`read()`)."""
    tags: set[str] = set()
    token = _collected.set(tags)
    try:
        yield tags
    finally:
        _collected.reset(token)


def read(tags: Iterable[str]) -> None:
    """Say that what is being built shows what these tags cover."""
    collected = _collected.get()
    if collected is not None:
        collected.update(tags)


def read_products(products: Iterable) -> None:
    """Tiles or cards of these products (and of their parents, whose prices they come from)."""
    tags = set()
    for item in products:
        tags.add(product(item.pk))
        if item.parent_id:
            tags.add(product(item.parent_id))
    read(tags)


# --- Which tags a change bumps ------------------------------------------------------------


def listing_tags(product_ids: Iterable[int]) -> set[str]:
    """The listings these products are in: all, their franchises, their categories and every
    ancestor of those (a category lists its subtree)."""
    ids = set(product_ids)
    if not ids:
        return set()
    Product = apps.get_model("catalogue", "Product")
    ProductCategory = apps.get_model("catalogue", "ProductCategory")
    Category = apps.get_model("catalogue", "Category")
    tags = {ALL_LISTINGS}
    roots = set()
    for pk, franchise_id, parent_id, parent_franchise_id in Product.objects.filter(
        pk__in=ids
    ).values_list("pk", "franchise_id", "parent_id", "parent__franchise_id"):
        roots.add(parent_id or pk)
        tags.update(franchise(f) for f in (franchise_id, parent_franchise_id) if f)
    paths = ProductCategory.objects.filter(product_id__in=roots | ids).values_list(
        "category__path", flat=True
    )
    steplen = Category.steplen
    ancestors = {path[:end] for path in paths for end in range(steplen, len(path) + 1, steplen)}
    if ancestors:
        tags.update(
            category(pk)
            for pk in Category.objects.filter(path__in=ancestors).values_list("pk", flat=True)
        )
    return tags


def product_tags(*pks) -> set[str]:
    return {product(pk) for pk in pks if pk}


def stock_tags(*pks) -> set[str]:
    return {stock(pk) for pk in pks if pk}


def bump_listings(product_ids: Iterable[int]) -> None:
    """Called with the products whose listing columns changed (catalogue.receivers)."""
    bump(listing_tags(product_ids))


def stock_words(record) -> tuple:
    """What a page shows of a stock record: its price, and its stock words ("Sold out", "Only 3
    left", "In stock": catalogue.buying.stock_state), not the exact count above the low mark."""
    from .buying import LOW_STOCK

    left = (record.num_in_stock or 0) - (record.num_allocated or 0)
    return ((record.price, record.price_currency), min(max(left, 0), LOW_STOCK + 1))


def _on_product_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_listed_before", set())
    # A variant's page shows its parent's title, description and pictures.
    children = type(instance).objects.filter(parent_id=instance.pk).values_list("pk", flat=True)
    bump(
        product_tags(instance.pk, instance.parent_id, *children)
        | stock_tags(instance.pk, instance.parent_id)
        | before
        | listing_tags([instance.pk])
    )


def _before_product_save(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        instance._listed_before = listing_tags([instance.pk])  # a franchise or parent may change


def _before_product_delete(sender, instance, **kwargs):
    bump(
        product_tags(instance.pk, instance.parent_id)
        | stock_tags(instance.pk, instance.parent_id)
        | listing_tags([instance.pk])
    )


def _on_product_part(sender, instance, raw=False, **kwargs):
    if not raw:
        bump(product_tags(instance.product_id))


def _on_product_category(sender, instance, raw=False, **kwargs):
    # Once the row is deleted, listing_tags() no longer finds its category: name it here.
    if not raw:
        bump(
            product_tags(instance.product_id)
            | listing_tags([instance.product_id])
            | _category_and_ancestors(instance.category)
        )


def _category_and_ancestors(of) -> set[str]:
    steplen = type(of).steplen
    paths = [of.path[:end] for end in range(steplen, len(of.path) + 1, steplen)]
    return {
        category(pk) for pk in type(of).objects.filter(path__in=paths).values_list("pk", flat=True)
    }


def _on_recommendation(sender, instance, raw=False, **kwargs):
    if not raw:
        bump(product_tags(instance.primary_id))


def _before_stock_save(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    from .indexing import is_hold  # indexing bumps through this module

    if is_hold(instance):  # an order's hold: its UPDATE answered the counts it found
        instance._words_before = stock_words(instance)
        return
    old = sender.objects.filter(pk=instance.pk).first()
    instance._words_before = stock_words(old) if old else None


def _on_stock_save(sender, instance, raw=False, created=False, **kwargs):
    # Listing tags follow the listing columns (catalogue.receivers). A price shows wherever the
    # product does; stock words are cut out of cached pages (catalogue.stock_slots) and read
    # from `stock:<id>` where they are not.
    if raw:
        return
    before, now = getattr(instance, "_words_before", None), stock_words(instance)
    is_new = created or before is None
    if is_new or before != now:
        ids = (instance.product_id, _parent_id(instance))
        price_changed, words_changed = is_new or before[0] != now[0], is_new or before[1] != now[1]
        bump(
            (product_tags(*ids) if price_changed else set())
            | (stock_tags(*ids) if words_changed else set())
        )
    instance._words_before = now


def _on_stock_delete(sender, instance, **kwargs):
    ids = (instance.product_id, _parent_id(instance))
    bump(product_tags(*ids) | stock_tags(*ids))


def _parent_id(record):
    """The parent of the stock record's product: from the product when the record came with it
    (an order's hold does)."""
    if type(record).product.is_cached(record):
        return record.product.parent_id
    Product = apps.get_model("catalogue", "Product")
    return Product.objects.filter(pk=record.product_id).values_list("parent_id", flat=True).first()


def _on_taxonomy(sender, raw=False, **kwargs):
    if not raw:
        bump([TAXONOMY])


def _on_category(sender, raw=False, **kwargs):
    if not raw:
        bump([TAXONOMY, MENU])


def _on_post(sender, instance, raw=False, **kwargs):
    if raw:
        return
    PostProduct = apps.get_model("blog", "PostProduct")
    featured = PostProduct.objects.filter(post_id=instance.pk).values_list("product_id", flat=True)
    bump({BLOG} | product_tags(*featured))


def _on_post_part(sender, instance, raw=False, **kwargs):
    if not raw:
        bump([BLOG])


def _on_post_product(sender, instance, raw=False, **kwargs):
    if not raw:
        bump({BLOG} | product_tags(instance.product_id))


def _on_glossary(sender, raw=False, **kwargs):
    if not raw:
        bump([GLOSSARY])


def _on_offers(sender, raw=False, **kwargs):
    if not raw:
        bump([OFFERS])


def _m2m(tags_for):
    def receiver(sender, instance, action, reverse, pk_set, model, **kwargs):
        if action == "pre_clear" and reverse:
            # A reverse clear (warning.products.clear()) names no products: note them first.
            instance._cleared_ids = set(_related_ids(sender, instance, model))
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            bump(tags_for([instance.pk]))
        else:
            bump(tags_for(pk_set or getattr(instance, "_cleared_ids", ())))

    return receiver


def _related_ids(through, instance, model):
    """The ids of `model` joined to `instance` by the m2m table `through`."""
    fields = {field.related_model: field for field in through._meta.fields if field.is_relation}
    return through.objects.filter(**{fields[type(instance)].attname: instance.pk}).values_list(
        fields[model].attname, flat=True
    )


def _product_and_listings(ids) -> set[str]:
    return product_tags(*ids) | listing_tags(ids)


def _post_m2m(ids) -> set[str]:
    return {BLOG}


RECEIVERS = {
    "catalogue.Product": (_on_product_save, _before_product_save, _before_product_delete),
    "catalogue.ProductAttributeValue": _on_product_part,
    "catalogue.ProductImage": _on_product_part,
    "reviews.ProductReview": _on_product_part,
    "catalogue.ProductCategory": _on_product_category,
    "catalogue.ProductRecommendation": _on_recommendation,
    "partner.StockRecord": (_on_stock_save, _before_stock_save, _on_stock_delete),
    "catalogue.Category": _on_category,
    "catalogue.ProductClass": _on_taxonomy,
    "catalogue.Option": _on_taxonomy,
    "catalogue.ProductAttribute": _on_taxonomy,
    "catalogue.AttributeOption": _on_taxonomy,
    "catalogue.Franchise": _on_taxonomy,
    "catalogue.Character": _on_taxonomy,
    "catalogue.ContentWarning": _on_taxonomy,
    "blog.Post": _on_post,
    "blog.PostProduct": _on_post_product,
    "blog.FAQEntry": _on_post_part,
    "blog.Tag": _on_post_part,
    "blog.BlogCategory": _on_post_part,
    "blog.Term": _on_glossary,
    "blog.TermAlias": _on_glossary,
    "blog.PostTerm": _on_glossary,
    "offer.ConditionalOffer": _on_offers,
    "offer.Condition": _on_offers,
    "offer.Benefit": _on_offers,
    "offer.Range": _on_offers,
}
M2M_RECEIVERS = {
    "catalogue.Product_characters": _product_and_listings,
    "catalogue.Product_content_warnings": _product_and_listings,
    "catalogue.Product_product_options": lambda ids: product_tags(*ids),
    "catalogue.ProductClass_options": lambda ids: {TAXONOMY},
    "blog.Post_tags": _post_m2m,
    "blog.Post_content_warnings": _post_m2m,
    "blog.Term_related_products": lambda ids: {GLOSSARY},
    "blog.Term_content_warnings": lambda ids: {GLOSSARY},
    "blog.Term_see_also": lambda ids: {GLOSSARY},
    "offer.ConditionalOffer_combinations": lambda ids: {OFFERS},
}


def connect() -> None:
    for label, receivers in RECEIVERS.items():
        model = apps.get_model(label)
        uid = f"cache-tags-{label}"
        if isinstance(receivers, tuple):
            saved, before_save, deleted = receivers
            post_save.connect(saved, sender=model, dispatch_uid=f"{uid}-save")
            pre_save.connect(before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
            signal = pre_delete if label == "catalogue.Product" else post_delete
            signal.connect(deleted, sender=model, dispatch_uid=f"{uid}-delete")
        else:
            post_save.connect(receivers, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(receivers, sender=model, dispatch_uid=f"{uid}-delete")
    for label, tags_for in M2M_RECEIVERS.items():
        m2m_changed.connect(
            _m2m(tags_for),
            sender=apps.get_model(label),
            dispatch_uid=f"cache-tags-{label}",
            weak=False,
        )


def connected_labels() -> set[str]:
    """Every model whose change bumps a tag: each tag family's sources must be among them."""
    return set(RECEIVERS) | set(M2M_RECEIVERS)
