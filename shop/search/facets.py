"""Listing filters read from the query string, and the facet counts shown beside the results.

Labels are translated when the counts are computed (`gettext`, not the lazy kind): the counts are
cached, and unpickling a lazy string builds a new proxy class, about 3 ms each.

Counts are disjunctive: a facet's counts apply every other filter but its own, so a shopper sees
what ticking one more value would give. They are summed from grouped rows over (type, franchise,
price band, in stock, warned, has a ticked character) and over characters. A listing without a
text query reads those rows ready-made from catalogue.facet_counts unless two or more characters
are ticked; search results group their matches on the same columns and the product's character
ids (a search of the whole catalogue groups catalogue.SearchRow, a narrow copy of those columns,
on PostgreSQL). Either way one query, and one more reads the names of the types, franchises and
characters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue import facet_counts, parsing
from catalogue.facet_counts import BANDS, PRICE_BANDS

Product = get_model("catalogue", "Product")
ProductCharacter = Product.characters.through
Character = get_model("catalogue", "Character")
Franchise = get_model("catalogue", "Franchise")
ProductClass = get_model("catalogue", "ProductClass")


@dataclass(frozen=True)
class Filters:
    """What the shopper ticked. Malformed values are dropped while reading, never an error."""

    types: tuple[str, ...] = ()
    franchises: tuple[str, ...] = ()
    characters: tuple[int, ...] = ()
    prices: tuple[str, ...] = ()
    in_stock: bool = False
    hide_warnings: bool = False

    PARAMS = ("type", "franchise", "character", "price", "in_stock", "hide_warnings")

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        return cls(
            types=parsing.parse_slugs(query.getlist("type")),
            franchises=parsing.parse_slugs(query.getlist("franchise")),
            characters=parsing.parse_ids(query.getlist("character")),
            prices=parsing.parse_choices(query.getlist("price"), BANDS),
            in_stock=parsing.parse_flag(query.get("in_stock")),
            hide_warnings=parsing.parse_flag(query.get("hide_warnings")),
        )

    @property
    def is_empty(self) -> bool:
        return self == Filters()

    def q(self, *, ignoring: str = "") -> Q:
        """The filter as one condition on listing products; `ignoring` leaves one facet out."""
        q = Q()
        if self.types and ignoring != "type":
            q &= Q(product_class__slug__in=self.types)
        if self.franchises and ignoring != "franchise":
            q &= Q(franchise__slug__in=self.franchises)
        if self.characters and ignoring != "character":
            q &= _characters_q(self)
        if self.prices and ignoring != "price":
            bands = Q()
            for key in self.prices:
                bands |= BANDS[key].q()
            q &= bands
        if self.in_stock and ignoring != "in_stock":
            q &= Q(is_available=True)
        if self.hide_warnings and ignoring != "hide_warnings":
            q &= Q(warning_level=0)
        return q

    def querystring(self, query: QueryDict) -> str:
        """`query` with these filters in place of the ones it had (other parameters kept)."""
        query = query.copy()
        for param in self.PARAMS:
            query.pop(param, None)
        query.setlist("type", self.types)
        query.setlist("franchise", self.franchises)
        query.setlist("character", [str(c) for c in self.characters])
        query.setlist("price", self.prices)
        if self.in_stock:
            query["in_stock"] = "1"
        if self.hide_warnings:
            query["hide_warnings"] = "1"
        return query.urlencode()


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    is_selected: bool

    @property
    def count_label(self) -> str:
        """The count as a screen reader says it ("1 product", "20 products"): a sidebar shows
        dozens, and a `blocktrans` each was the slowest part of rendering it."""
        return _count_label(self.count, get_language())


@lru_cache(maxsize=1024)
def _count_label(count: int, language: str) -> str:
    # Translated and localised once per count: a sidebar's counts repeat across listings.
    return ngettext("%(counter)s product", "%(counter)s products", count) % {
        "counter": localize(count)
    }


@dataclass
class Facet:
    param: str
    title: str
    values: list[FacetValue] = field(default_factory=list)


@dataclass
class FacetResult:
    facets: list[Facet]
    total: int  # products matching every filter: the paginator's count
    known: Filters  # the filters less values this listing has never heard of (stale URLs)
    # Of `total`, how many are in each relevance tier, where the counts came with tiers (a kept
    # search word: catalogue.search_words); else None.
    tiers: dict[int, int] | None = None


def count_facets(
    products: QuerySet | None,
    filters: Filters,
    *,
    listing: str = "",
    counted: tuple[list[dict], list[dict]] | None = None,
) -> FacetResult:
    """Facet values with their counts for `products` (already narrowed and searched: product
    rows, or the catalogue.SearchRow rows of the same products, which have the same columns).

    Each count is how many products have that value once every other facet filter applies.
    `listing` names the catalogue.facet_counts listing `products` are, when they are one;
    `counted` gives search's counts read already (shop.search.selectors.searched_counts): its
    cells (a kept word's, with their tier) or its grouped rows, whichever it found.
    """
    if counted is not None:
        cells, groups = counted
        rows, character_rows = (
            _rows_from_cells(cells, filters) if cells else _rows_from_groups(groups, filters)
        )
    elif listing and len(filters.characters) <= 1:
        rows, character_rows = _rows_from_cells(facet_counts.cells(listing), filters)
    else:
        rows, character_rows = _rows_from_groups(grouped(products), filters)
    names = _names(
        type={row["product_class_id"] for row in rows},
        franchise={row["franchise_id"] for row in rows},
        # Ticked characters with none left under the other filters are still shown, to untick.
        character={row["character_id"] for row in character_rows} | set(filters.characters),
    )
    for row in rows + character_rows:
        row["class_slug"], row["class_name"] = names["type"].get(row["product_class_id"], ("", ""))
        row["franchise_slug"], row["franchise_name"] = names["franchise"].get(
            row["franchise_id"], (None, None)
        )
    character_counts = {}
    for row in character_rows:
        if _row_matches(row, filters, ignoring="character"):
            character_counts[row["character_id"]] = (
                character_counts.get(row["character_id"], 0) + row["n"]
            )
    names["character"] = {
        pk: name
        for pk, name in names["character"].items()
        if character_counts.get(pk) or pk in filters.characters
    }

    def matches(row, *, ignoring: str) -> bool:  # Filters.q(ignoring=...) for one grouped row
        return _row_matches(row, filters, ignoring=ignoring)

    types, franchises = defaultdict(int), defaultdict(int)
    type_names, franchise_names = {}, {}
    bands, in_stock, unwarned, total = defaultdict(int), 0, 0, 0
    tiers = defaultdict(int)
    for row in rows:
        n = row["n"]
        type_slug, franchise_slug = row["class_slug"], row["franchise_slug"]
        type_names[type_slug] = row["class_name"]
        if franchise_slug:
            franchise_names[franchise_slug] = row["franchise_name"]
        if matches(row, ignoring="type"):
            types[type_slug] += n
        if franchise_slug and matches(row, ignoring="franchise"):
            franchises[franchise_slug] += n
        if row["band"] and matches(row, ignoring="price"):
            bands[row["band"]] += n
        if row["is_available"] and matches(row, ignoring="in_stock"):
            in_stock += n
        if not row["warning_level"] and matches(row, ignoring="hide_warnings"):
            unwarned += n
        if matches(row, ignoring=""):
            total += n
            tiers[row.get("tier")] += n

    characters = _character_facet(character_counts, names["character"], filters)
    known = replace(
        filters,
        types=tuple(v for v in filters.types if v in type_names),
        franchises=tuple(v for v in filters.franchises if v in franchise_names),
        characters=tuple(
            c for c in filters.characters if str(c) in {v.value for v in characters.values}
        ),
    )
    facets = [
        _facet("type", _("Product type"), type_names, types, filters.types),
        _facet("franchise", _("Franchise"), franchise_names, franchises, filters.franchises),
        characters,
        Facet(
            "price",
            _("Price"),
            [
                FacetValue(b.key, b.label, bands[b.key], b.key in filters.prices)
                for b in PRICE_BANDS
                if bands[b.key] or b.key in filters.prices
            ],
        ),
        Facet(
            "in_stock",
            _("Availability"),
            [FacetValue("1", _("In stock only"), in_stock, filters.in_stock)],
        ),
        Facet(
            "hide_warnings",
            _("Content warnings"),
            [
                FacetValue(
                    "1", _("Hide items with content warnings"), unwarned, filters.hide_warnings
                )
            ],
        ),
    ]
    has_tiers = bool(rows) and "tier" in rows[0]
    return FacetResult(
        facets=facets, total=total, known=known, tiers=dict(tiers) if has_tiers else None
    )


def grouped(products: QuerySet) -> QuerySet:
    """`products` grouped on their facet columns, counted: the characters' ids are a column of
    the product row (catalogue.indexing), grouped with the rest."""
    band = Case(
        *(When(band.q(), then=Value(band.key)) for band in PRICE_BANDS),
        default=Value(""),
        output_field=CharField(),
    )
    # Grouped on ids alone, the names read apart (_names): joining them in made PostgreSQL sort
    # 100k wide rows, on disk, instead of hashing narrow ones (240 ms against 90 at 100k products).
    return (
        products.annotate(band=band)
        .values(
            "product_class_id",
            "franchise_id",
            "band",
            "is_available",
            "warning_level",
            "character_ids",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )


def _rows_from_groups(groups, filters: Filters) -> tuple[list[dict], list[dict]]:
    """The rows and the per-character rows of `grouped()` rows."""
    ticked = set(filters.characters)
    rows, character_rows = [], []
    for row in groups:
        characters = [int(pk) for pk in row.pop("character_ids").split()]
        rows.append(row | {"has_character": not ticked or bool(ticked.intersection(characters))})
        character_rows += [row | {"character_id": pk} for pk in characters]
    return rows, character_rows


def _rows_from_cells(cells: list[dict], filters: Filters) -> tuple[list[dict], list[dict]]:
    """The grouped rows and the per-character rows of a listing, from its facet cells.

    With one character ticked, the rows that have it are that character's cells; the listing's
    other rows still name the types and franchises a shopper may have ticked.
    """
    ticked = filters.characters[0] if filters.characters else None
    rows, character_rows = [], []
    for cell in cells:
        if cell["character_id"] is None:
            rows.append(cell | {"has_character": ticked is None})
        else:
            character_rows.append(cell)
            if cell["character_id"] == ticked:
                rows.append(cell | {"has_character": True})
    return rows, character_rows


def _characters_q(filters: Filters) -> Q:
    return Exists(
        ProductCharacter.objects.filter(
            product_id=OuterRef("pk"), character_id__in=filters.characters
        )
    )


def _row_matches(row: dict, filters: Filters, *, ignoring: str) -> bool:
    """Filters.q() for one grouped row."""
    if filters.types and ignoring != "type" and row["class_slug"] not in filters.types:
        return False
    if (
        filters.franchises
        and ignoring != "franchise"
        and row["franchise_slug"] not in filters.franchises
    ):
        return False
    if filters.prices and ignoring != "price" and row["band"] not in filters.prices:
        return False
    if filters.in_stock and ignoring != "in_stock" and not row["is_available"]:
        return False
    if ignoring != "character" and not row["has_character"]:
        return False
    return not (filters.hide_warnings and ignoring != "hide_warnings" and row["warning_level"])


def _facet(param, title, names: dict, counts: dict, selected: tuple) -> Facet:
    values = [
        FacetValue(slug, name, counts.get(slug, 0), slug in selected)
        for slug, name in names.items()
        if counts.get(slug) or slug in selected
    ]
    values.sort(key=lambda v: (not v.is_selected, -v.count, v.label))
    return Facet(param, title, values)


def _names(**ids: set) -> dict[str, dict]:
    """kind → {id: (slug, name)} for the ids the counts name: one query over the small tables."""
    models = {"type": ProductClass, "franchise": Franchise, "character": Character}
    parts = [
        models[kind]
        .objects.filter(pk__in=wanted - {None})
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("kind", "pk", "slug", "name")
        .order_by()
        for kind, wanted in ids.items()
    ]
    found = {kind: {} for kind in ids}
    for kind, pk, slug, name in parts[0].union(*parts[1:], all=True):
        found[kind][pk] = (slug, name)
    return found


def _character_facet(counts: dict[int, int], names: dict, filters: Filters) -> Facet:
    values = [
        FacetValue(str(pk), name, counts.get(pk, 0), pk in filters.characters)
        for pk, (_slug, name) in names.items()
    ]
    values.sort(key=lambda v: (not v.is_selected, -v.count, v.label))
    return Facet("character", _("Character"), values)
