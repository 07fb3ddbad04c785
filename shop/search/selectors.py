"""How a text query finds and ranks products, and how a listing sorts them. What is listed and what
a tile needs loaded live in catalogue.selectors."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Ln
from oscar.core.loading import get_class

from catalogue.indexing import SEARCH_CONFIG

SearchForm = get_class("search.forms", "SearchForm")

MAX_WORDS = 10

SORT_ORDERS = {
    SearchForm.RELEVANCE: ("-relevance", "-date_created", "-id"),
    SearchForm.NEWEST: ("-date_created", "-id"),
    SearchForm.BEST_SELLING: (
        F("stats__num_purchases").desc(nulls_last=True),
        "-date_created",
        "-id",
    ),
    SearchForm.PRICE_LOW_TO_HIGH: (F("listing_price").asc(nulls_last=True), "id"),
    SearchForm.PRICE_HIGH_TO_LOW: (F("listing_price").desc(nulls_last=True), "id"),
    SearchForm.TITLE_A_TO_Z: ("title", "id"),
}


def matching(products: QuerySet, query: str, *, ranked: bool = True) -> QuerySet:
    """Products matching every word of the query, annotated with `relevance` (higher first)
    unless not `ranked` (facet counts need no ranking, nor its join for popularity).

    PostgreSQL ranks a weighted full-text vector (title, then franchise/characters/type/attributes,
    then description) through its GIN index; SQLite needs every word in one of the same fields and
    ranks whole-word title matches first. Both give popular products a small boost.
    """
    words = query.split()[:MAX_WORDS]
    if not words:
        return products.annotate(relevance=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        # The UPC is in search_text, so a code typed in the box is found through the index too.
        search = SearchQuery(" ".join(words), search_type="websearch", config=SEARCH_CONFIG)
        # The stored vector (Product.search_document): ranking reads it, never re-parses text.
        products = products.filter(search_document=search)
        text_score = SearchRank(F("search_document"), search)
    else:
        text_score = Value(0.0, output_field=FloatField())
        for word in words:
            stem = word[:-1] if len(word) > 3 and word.lower().endswith("s") else word
            whole_word = rf"\b{re.escape(stem)}(s|es)?\b"
            products = products.filter(
                Q(title__icontains=stem)
                | Q(search_text__icontains=stem)
                | Q(description__icontains=stem)
            )
            text_score += Case(
                When(title__iregex=whole_word, then=Value(6.0)),
                When(title__icontains=stem, then=Value(3.0)),
                When(search_text__iregex=whole_word, then=Value(2.0)),
                default=Value(1.0),
                output_field=FloatField(),
            )
    if not ranked:
        return products
    return products.annotate(relevance=text_score * popularity_boost())


def popularity_boost():
    """x1 for a product nobody has bought yet, about x1.5 for a best-seller with 150 sales."""
    purchases = Cast(Coalesce(F("stats__num_purchases"), 0), FloatField())
    return Value(1.0) + Ln(Value(1.0) + purchases) / Value(10.0)


def sorted_by(products: QuerySet, sort_by: str) -> QuerySet:
    return products.order_by(*SORT_ORDERS.get(sort_by, SORT_ORDERS[SearchForm.NEWEST]))
