"""How a text query finds and ranks products, and how a listing sorts them. What is listed and what
a tile needs loaded live in catalogue.selectors.

Relevance is a rule an index can serve: a match's **tier** — 1 when every word is in its title, 2
when every word is in its title or the names it is listed under (franchise, characters, type,
attributes, UPC), 3 otherwise (the description, spoilers left out) — then the most purchased, the
newest, the highest id. A total order, so pages never overlap or skip. On PostgreSQL a page reads each tier it reaches
in the order of the best-selling index (`product_listed_best_selling`) and stops when the page is
full: "pin" (31k matches) reads the first few dozen entries instead of ranking every match. A
small tier 2 or 3 is found through the GIN indexes on the words a product has only among its
names, or only in its description (catalogue migration 0045), not by reading every match.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from oscar.core.loading import get_class, get_model

from catalogue.indexing import SEARCH_CONFIG

from .facets import grouped as facets_grouped

SearchForm = get_class("search.forms", "SearchForm")
SearchRow = get_model("catalogue", "SearchRow")

MAX_WORDS = 10
# The facet columns search's counts come grouped on (shop.search.facets.grouped()).
GROUPED = ("product_class_id", "franchise_id", "band", "is_available", "warning_level")
IN_TIER = {  # on PostgreSQL's ranked matches (see matching())
    1: Q(in_title=True),
    2: Q(in_title=False, in_names=True, may_be_names_tier=True),
    3: Q(in_names=False, may_be_description_tier=True),
}
WITHIN_TIER = ("-num_purchases", "-date_created", "-id")
# Matches sorted in one query by their tier; above this, a page reads the tiers in index order.
SORTED_AT_ONCE = 2000
# A tier known to hold this few matches is read whole and sorted here (_known_tiers_page).
SORTED_HERE = 2000

SORT_ORDERS = {
    SearchForm.RELEVANCE: ("tier", *WITHIN_TIER),
    SearchForm.NEWEST: ("-date_created", "-id"),
    SearchForm.BEST_SELLING: WITHIN_TIER,
    SearchForm.PRICE_LOW_TO_HIGH: (F("listing_price").asc(nulls_last=True), "id"),
    SearchForm.PRICE_HIGH_TO_LOW: (F("listing_price").desc(nulls_last=True), "id"),
    SearchForm.TITLE_A_TO_Z: ("title", "id"),
}


class Weighted(Func):
    """The part of a stored vector with these weights (PostgreSQL's ts_filter)."""

    output_field = SearchVectorField()

    def __init__(self, vector, weights: str):
        assert weights.isalpha()  # a constant of this module, written into the SQL
        super().__init__(vector)
        self.template = f"ts_filter(%(expressions)s, '{{{','.join(weights)}}}'::\"char\"[])"


def only_in(vector, weights: str, *, not_in: str) -> Func:
    """The words of a stored vector with these weights and none of those (ts_delete of
    ts_filter): spelled as catalogue migration 0045's indexes are, so the planner uses them."""
    others = Func(
        Weighted(vector, not_in),
        function="tsvector_to_array",
        output_field=ArrayField(TextField()),
    )
    return Func(
        Weighted(vector, weights), others, function="ts_delete", output_field=SearchVectorField()
    )


def matching(products: QuerySet, query: str, *, ranked: bool = True) -> QuerySet:
    """Products matching every word of the query, annotated with their `tier` (see above) unless
    not `ranked` (facet counts need no ranking).

    PostgreSQL matches the stored vector (title A, names B, description C) through its GIN index
    and reads the tiers off its weights; SQLite needs every word in one of the same fields.
    """
    words = query.split()[:MAX_WORDS]
    if not words:
        return products.annotate(tier=Value(1, output_field=IntegerField()))
    if connection.vendor == "postgresql":
        # The UPC is in search_text, so a code typed in the box is found through the index too.
        search = _search_query(words)
        products = products.filter(search_document=search)
        if not ranked:
            return products
        products = products.alias(
            title_words=Weighted(F("search_document"), "a"),
            named_words=Weighted(F("search_document"), "ab"),
        )
        in_title, in_names = Q(title_words=search), Q(named_words=search)
        # ranked_ids() filters a tier on these (the planner has statistics on them: migration
        # 0043), not on the tier's number, which it could only guess at.
        products = products.alias(
            in_title=ExpressionWrapper(in_title, output_field=BooleanField()),
            in_names=ExpressionWrapper(in_names, output_field=BooleanField()),
            **_small_tier_tests(words),
        )
    else:
        in_title, in_names = Q(), Q()
        for word in words:
            stem = word[:-1] if len(word) > 3 and word.lower().endswith("s") else word
            products = products.filter(
                Q(title__icontains=stem)
                | Q(search_text__icontains=stem)
                | Q(search_description__icontains=stem)
            )
            in_title &= Q(title__icontains=stem)
            in_names &= Q(title__icontains=stem) | Q(search_text__icontains=stem)
        if not ranked:
            return products
    return products.annotate(
        tier=Case(
            When(in_title, then=Value(1)),
            When(in_names, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    )


def ranked_ids(
    products: QuerySet, bottom: int, top: int, *, count: int, tiers: dict[int, int] | None = None
) -> list[int]:
    """The ids at positions [bottom, top) of `products` (matched, filtered, sorted by relevance),
    `count` of them in all, `tiers` of them in each tier where the facet counts knew (a kept
    word: catalogue.search_words).

    Up to SORTED_AT_ONCE matches are sorted in one query. More, on PostgreSQL, are read one tier
    after the other, each in the best-selling index's order, only as far as the page needs; with
    the tiers' sizes known, in one query (_known_tiers_page), else a tier's matches are counted
    when the page starts after its end.
    """
    if connection.vendor != "postgresql" or count <= SORTED_AT_ONCE:
        return list(products.values_list("pk", flat=True)[bottom:top])
    if tiers is not None:
        return _known_tiers_page(products, bottom, top, tiers)
    ids, skip = [], bottom
    for in_this_tier in IN_TIER.values():
        wanted = top - bottom - len(ids)
        if wanted <= 0:
            break
        in_tier = products.filter(in_this_tier).order_by(*WITHIN_TIER).values_list("pk", flat=True)
        found = list(in_tier[skip : skip + wanted])
        ids += found
        # Found some: this tier ended inside the page, the next starts at its top. Found none
        # past the start: the page begins after this tier, by as many places as it holds.
        skip = skip - in_tier.count() if skip and not found else 0
    return ids


def _known_tiers_page(
    products: QuerySet, bottom: int, top: int, tiers: dict[int, int]
) -> list[int]:
    """Positions [bottom, top) when each tier's size is known: one query, a part per tier the
    page reaches, none for the tiers before or after it.

    A tier of at most SORTED_HERE matches is read whole and sorted here: walking the best-selling
    index for a few matches would read all of it. A larger one is walked from its nearer end, so
    the last page of "pin" costs what the first does: a page at position p of a tier of s matches,
    holding a share f of the listed products, reads about min(p, s - p) / f index entries (3 per
    place for "pin"), or, where that costs more, the planner sorts the tier's matches (at most all
    of them: 31k for "pin", its middle pages).
    """
    parts, wanted, start = [], {}, 0
    for tier, in_this_tier in IN_TIER.items():
        size = tiers.get(tier, 0)
        lo, hi = max(bottom - start, 0), min(top - start, size)
        start += size
        if lo >= hi:
            continue
        in_tier = (
            products.filter(in_this_tier)
            .annotate(read_tier=Value(tier, output_field=IntegerField()))
            .values_list("read_tier", "num_purchases", "date_created", "pk")
        )
        if size <= SORTED_HERE:
            parts.append(in_tier.order_by())
            wanted[tier] = slice(lo, hi)
        elif lo <= size - hi:
            parts.append(in_tier.order_by(*WITHIN_TIER)[lo:hi])
        else:
            parts.append(
                in_tier.order_by(*(key.lstrip("-") for key in WITHIN_TIER))[size - hi : size - lo]
            )
    if not parts:
        return []
    by_tier = {}
    for tier, *key in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        by_tier.setdefault(tier, []).append(key)
    ids = []
    for tier in IN_TIER:
        ranked = sorted(by_tier.get(tier, []), reverse=True)  # most purchased, newest, highest id
        ids += [pk for *_, pk in ranked[wanted.get(tier, slice(None))]]
    return ids


def search_rows(query: str) -> QuerySet | None:
    """catalogue.SearchRow's rows of the listed products matching every word of the query, for
    counting facets without reading product rows; None where they cannot answer exactly: on
    SQLite, and for words that may make a phrase (quotes, hyphens), which a vector stripped of
    its positions cannot check."""
    words = query.split()[:MAX_WORDS]
    if connection.vendor != "postgresql" or not words or not all(w.isalnum() for w in words):
        return None
    return SearchRow.objects.filter(lexemes=_search_query(words))


def searched_counts(query: str, filters) -> tuple[list[dict], list[dict]] | None:
    """Search's facet counts over the whole catalogue, in one query, for
    shop.search.facets.count_facets(counted=...): a kept word's cells with their tiers, summed
    (catalogue.search_words: "pin" sums a few hundred rows instead of grouping 31k matches), else
    the matches' search rows grouped live. None where the search rows cannot answer (see
    search_rows()).

    Both parts are in the query; PostgreSQL runs the live one only when the query is not one kept
    word (a one-time filter), so a page runs the same queries whichever answers.
    """
    rows = search_rows(query)
    if rows is None:
        return None
    live_sql, live_params = facets_grouped(rows).query.sql_with_params()
    if len(filters.characters) > 1:  # the cells count each character apart: not "either of"
        kept_sql, kept_params = "SELECT NULL AS lexeme WHERE false", []
    else:
        kept_sql = (
            "SELECT lexeme FROM catalogue_searchword "
            "WHERE numnode(websearch_to_tsquery(%s::regconfig, %s)) = 1 "
            "AND array_to_tsvector(ARRAY[lexeme]) @@ websearch_to_tsquery(%s::regconfig, %s)"
        )
        text = " ".join(query.split()[:MAX_WORDS])
        kept_params = [SEARCH_CONFIG, text, SEARCH_CONFIG, text]
    columns = ("tier", "character_id", *GROUPED, "character_ids", "n")
    sql = (
        f"WITH kept AS MATERIALIZED ({kept_sql}) "
        f"SELECT tier, character_id, {', '.join(GROUPED)}, NULL AS character_ids, SUM(n) "
        "FROM catalogue_searchwordcount WHERE lexeme = (SELECT lexeme FROM kept) "
        f"GROUP BY tier, character_id, {', '.join(GROUPED)} HAVING SUM(n) > 0 "
        "UNION ALL "
        f"SELECT NULL, NULL, {', '.join(f'live.{c}' for c in GROUPED)}, live.character_ids, live.n "
        f"FROM ({live_sql}) AS live WHERE NOT EXISTS (SELECT FROM kept)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kept_params, *live_params])
        found = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    cells = [row for row in found if row["tier"] is not None]
    groups = [row for row in found if row["tier"] is None]
    for row in cells:
        del row["character_ids"]
    for row in groups:
        del row["tier"], row["character_id"]
    return cells, groups


def _small_tier_tests(words: list[str]) -> dict:
    """Tests tiers 2 and 3 imply and an index can answer, for IN_TIER. With plain words (each one
    lexeme, all required), a tier-2 match has one of them among its names but not in its title,
    and a tier-3 match one only in its description. Other queries (phrases, "or", "-word") get
    no such test: their tiers' own filters decide alone."""
    plain = all(w.isalnum() and (w.isascii() or w.isalpha()) for w in words)
    if not plain or any(w.lower() == "or" for w in words):
        everyone = ExpressionWrapper(Value(True), output_field=BooleanField())
        return {"may_be_names_tier": everyone, "may_be_description_tier": everyone}
    any_word = SearchQuery(" or ".join(words), search_type="websearch", config=SEARCH_CONFIG)
    vector = F("search_document")
    names_only = only_in(vector, "b", not_in="a")
    description_only = only_in(vector, "c", not_in="ab")
    return {
        "may_be_names_tier": ExpressionWrapper(
            SearchVectorExact(names_only, any_word), output_field=BooleanField()
        ),
        "may_be_description_tier": ExpressionWrapper(
            SearchVectorExact(description_only, any_word), output_field=BooleanField()
        ),
    }


def _search_query(words: list[str]) -> SearchQuery:
    return SearchQuery(" ".join(words), search_type="websearch", config=SEARCH_CONFIG)


def sorted_by(products: QuerySet, sort_by: str) -> QuerySet:
    return products.order_by(*SORT_ORDERS.get(sort_by, SORT_ORDERS[SearchForm.NEWEST]))
