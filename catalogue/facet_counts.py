"""Facet counts kept ready for the listings without a text query: the whole catalogue, a category,
a franchise. Counting them live groups every listed product twice (about 100 ms at 100k).

A listed product (public, not a variant) counts once in one cell of each listing it appears in —
the catalogue, every category it is in or under, its franchise — and once more per character it
has (the character facet's cells). A cell is (listing, character, type, franchise, price band,
available, warning level): what shop.search.facets needs to apply every filter but characters.

`recount(ids)` moves changed products between cells in the transaction that changed them
(catalogue.indexing and catalogue.receivers call it); `rebuild()` counts everything afresh after
bulk inserts (the demo's synthetic products, the migration); `compact()` folds the signed rows
that changes add (see FacetCount) into one row per cell: the task worker runs it after a change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps as installed_apps
from django.db import connection, transaction
from django.db.models import IntegerField, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from oscar.templatetags.currency_filters import currency

CATALOGUE = "all"
# The columns of a cell after its listing, in FacetCount's order.
CELL = ("character_id", "product_class_id", "franchise_id", "band", "is_available", "warning_level")
BATCH = 5000


@dataclass(frozen=True)
class PriceBand:
    key: str
    low: Decimal | None
    high: Decimal | None

    @property
    def label(self) -> str:
        if self.low is None:
            return _("Under %s") % currency(self.high)
        if self.high is None:
            return _("%s and up") % currency(self.low)
        return f"{currency(self.low)} \N{EN DASH} {currency(self.high)}"

    def q(self) -> Q:
        q = Q()
        if self.low is not None:
            q &= Q(listing_price__gte=self.low)
        if self.high is not None:
            q &= Q(listing_price__lt=self.high)
        return q

    def holds(self, price: Decimal | None) -> bool:
        return (
            price is not None
            and (self.low is None or price >= self.low)
            and (self.high is None or price < self.high)
        )


PRICE_BANDS = [
    PriceBand("under-10", None, Decimal(10)),
    PriceBand("10-20", Decimal(10), Decimal(20)),
    PriceBand("20-30", Decimal(20), Decimal(30)),
    PriceBand("30-plus", Decimal(30), None),
]
BANDS = {band.key: band for band in PRICE_BANDS}


def band_of(price: Decimal | None) -> str:
    return next((band.key for band in PRICE_BANDS if band.holds(price)), "")


def category_listing(category_id: int) -> str:
    return f"category:{category_id}"


def franchise_listing(franchise_id: int) -> str:
    return f"franchise:{franchise_id}"


def cells(listing: str) -> list[dict]:
    """The non-empty cells of one listing: dicts of CELL's columns and `n`. One query."""
    FacetCount = installed_apps.get_model("catalogue", "FacetCount")
    summed = (
        FacetCount.objects.filter(listing=listing)
        .values_list(*CELL)
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
        .order_by()
    )
    return [dict(zip((*CELL, "n"), row, strict=True)) for row in summed]


def listed_in_franchise(franchise_id) -> Coalesce:
    """How many listed products a franchise has, summed from the catalogue's cells: an expression
    for `Franchise.objects.annotate(n=listed_in_franchise(OuterRef("pk")))`, a few rows per
    franchise where counting its products joins every one of them."""
    FacetCount = installed_apps.get_model("catalogue", "FacetCount")
    summed = (
        FacetCount.objects.filter(listing=CATALOGUE, character_id=None, franchise_id=franchise_id)
        .order_by()
        .values("franchise_id")
        .annotate(total=Sum("n"))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


# The products a `recounted_once()` block has changed so far (None outside one).
_held: ContextVar[set[int] | None] = ContextVar("facet_recount_held", default=None)


@contextmanager
def recounted_once() -> Iterator[None]:
    """Recount every product changed inside the block once, when it ends, instead of after each
    save (catalogue.indexing.refreshed_once). Nothing is recounted if the block raises."""
    held: set[int] = set()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    recount(held)


def recount(product_ids: Iterable[int]) -> None:
    """Move these products to the cells they belong in now (out of all cells if they are gone or
    no longer listed). Reads only, unless one of them moved."""
    held = _held.get()
    if held is not None:
        held.update(product_ids)
        return
    ids = sorted(set(product_ids))
    if not ids:
        return
    Membership = installed_apps.get_model("catalogue", "FacetMembership")
    stored = dict(Membership.objects.filter(product_id__in=ids).values_list("product_id", "cells"))
    now = _cells_of(ids, installed_apps)
    moved = [pk for pk in ids if _keys(stored.get(pk, [])) != now.get(pk, [])]
    if not moved:
        return
    with transaction.atomic():
        # Locked in id order and read again: a concurrent recount of the same product waits, then
        # starts from what this one stored. Other products' recounts only insert rows: no waiting.
        locked = Membership.objects.select_for_update().filter(product_id__in=moved)
        stored = dict(locked.order_by("product_id").values_list("product_id", "cells"))
        now = _cells_of(moved, installed_apps)
        change = Counter()
        for pk in moved:
            change.subtract(_keys(stored.get(pk, [])))
            change.update(now.get(pk, []))
        _add(change, installed_apps)
        Membership.objects.filter(product_id__in=moved).delete()
        Membership.objects.bulk_create(
            Membership(product_id=pk, cells=now[pk]) for pk in moved if now.get(pk)
        )
        transaction.on_commit(_compact_soon)


def rebuild(apps=installed_apps) -> None:
    """Count every listed product afresh (`apps`: a migration's historical models)."""
    Product = apps.get_model("catalogue", "Product")
    FacetCount = apps.get_model("catalogue", "FacetCount")
    Membership = apps.get_model("catalogue", "FacetMembership")
    with transaction.atomic():
        FacetCount.objects.all().delete()
        Membership.objects.all().delete()
        ids = list(
            Product.objects.filter(parent=None, is_public=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        totals = Counter()
        for start in range(0, len(ids), BATCH):
            found = _cells_of(ids[start : start + BATCH], apps)
            Membership.objects.bulk_create(
                (Membership(product_id=pk, cells=keys) for pk, keys in found.items()),
                batch_size=BATCH,
            )
            for keys in found.values():
                totals.update(keys)
        _add(totals, apps)


def compact() -> None:
    """Fold each cell's rows into one. Safe beside concurrent recounts: rows committed meanwhile
    are neither deleted nor counted here."""
    FacetCount = installed_apps.get_model("catalogue", "FacetCount")
    table = FacetCount._meta.db_table
    columns = ", ".join(("listing", *CELL))
    if connection.vendor == "postgresql":
        # Search's kept word counts (catalogue.search_words) move with the same changes.
        words = installed_apps.get_model("catalogue", "SearchWordCount")._meta.db_table
        folded = ((table, columns), (words, f"lexeme, tier, {', '.join(CELL)}"))
        with connection.cursor() as cursor:
            for rows, key in folded:
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {rows} RETURNING {key}, n) "
                    f"INSERT INTO {rows} ({key}, n) "
                    f"SELECT {key}, SUM(n) FROM moved GROUP BY {key} HAVING SUM(n) <> 0"
                )
        return
    with transaction.atomic():  # SQLite: one writer at a time
        sums = Counter()
        for row in FacetCount.objects.values_list("listing", *CELL, "n"):
            sums[row[:-1]] += row[-1]
        FacetCount.objects.all().delete()
        _add(sums, installed_apps)


@task()
def compact_task() -> None:
    compact()


def _compact_soon() -> None:
    """Queue a compaction on the task worker unless one is waiting already: the signed rows of a
    busy sale fold into their cells in one run."""
    waiting = DBTaskResult.objects.filter(
        task_path=compact_task.module_path, status=TaskResultStatus.READY
    )
    if not waiting.exists():
        compact_task.enqueue()


def _add(change: Counter, apps) -> None:
    FacetCount = apps.get_model("catalogue", "FacetCount")
    fields = ("listing", *CELL)
    FacetCount.objects.bulk_create(
        (
            FacetCount(**dict(zip(fields, key, strict=True)), n=n)
            for key, n in sorted(change.items(), key=lambda item: _order(item[0]))
            if n
        ),
        batch_size=BATCH,
    )


def _keys(stored: list) -> list[tuple]:
    return sorted((tuple(key) for key in stored), key=_order)


def _order(key: tuple) -> tuple:
    """Cell keys sort with their empty columns (None) last."""
    return tuple((value is None, value if value is not None else 0) for value in key)


def _cells_of(ids: list[int], apps) -> dict[int, list[tuple]]:
    """product id → the sorted cell keys (listing, *CELL) it counts in; unlisted products absent."""
    Product = apps.get_model("catalogue", "Product")
    Category = apps.get_model("catalogue", "Category")
    ProductCategory = apps.get_model("catalogue", "ProductCategory")
    ProductCharacter = Product.characters.through
    products = Product.objects.filter(pk__in=ids, parent=None, is_public=True).values_list(
        "pk", "product_class_id", "franchise_id", "listing_price", "is_available", "warning_level"
    )
    characters = defaultdict(list)
    for product_id, character_id in ProductCharacter.objects.filter(product_id__in=ids).values_list(
        "product_id", "character_id"
    ):
        characters[product_id].append(character_id)
    paths = defaultdict(set)
    for product_id, path in ProductCategory.objects.filter(product_id__in=ids).values_list(
        "product_id", "category__path"
    ):
        # A product is listed in its categories and every category above them.
        paths[product_id].update(path[:end] for end in range(4, len(path) + 1, 4))
    wanted = set().union(*paths.values()) if paths else set()
    category_ids = dict(Category.objects.filter(path__in=wanted).values_list("path", "pk"))

    found = {}
    for pk, class_id, franchise_id, price, is_available, warning_level in products:
        listings = [CATALOGUE]
        listings += sorted(
            category_listing(category_ids[p]) for p in paths[pk] if p in category_ids
        )
        if franchise_id is not None:
            listings.append(franchise_listing(franchise_id))
        facets = (class_id, franchise_id, band_of(price), is_available, warning_level)
        found[pk] = sorted(
            (
                (listing, character_id, *facets)
                for listing in listings
                for character_id in [None, *sorted(set(characters[pk]))]
            ),
            key=_order,
        )
    return found
