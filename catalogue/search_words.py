"""Facet and relevance-tier counts kept ready for the words many products hold (PostgreSQL).

Searching the whole catalogue for "pin" (31k of 100k products) would group every match to count
its facets; for a kept word search sums a few hundred rows instead (shop.search.selectors). A
trigger on catalogue_product (migration 0044) moves a product between its words' cells in the
statement that changes it, as signed rows that catalogue.facet_counts.compact() folds: the counts
are exact after sales, edits, creates and deletes. Words not kept are counted live, exactly too.
"""

from django.db import connection, transaction

# Below this many products a word's matches are grouped live in a few milliseconds; it is also
# where search stops sorting matches at once (shop.search.selectors.SORTED_AT_ONCE).
FREQUENT = 2000

CELL_COLUMNS = (
    "lexeme, tier, character_id, product_class_id, franchise_id, band, is_available, warning_level"
)
CELL_OF = ", ".join(f"c.{column}" for column in CELL_COLUMNS.split(", "))


def keep_frequent_words(*, min_products: int = FREQUENT) -> list[str]:
    """Keep counts, from now on, for every word at least `min_products` listed products hold and
    that is not kept yet; the words newly kept. For after bulk inserts (the demo seed) and the
    migration; a word that later grows frequent is counted live, exactly, until this runs again."""
    if connection.vendor != "postgresql":
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        # Product writes wait while the new words are counted: none falls between this count and
        # the trigger that keeps it from then on.
        cursor.execute("LOCK TABLE catalogue_product IN SHARE MODE")
        cursor.execute(
            "INSERT INTO catalogue_searchword (lexeme) "
            # Not ts_stat(), which takes minutes over 100k vectors where this takes seconds.
            "SELECT word FROM catalogue_searchrow, unnest(tsvector_to_array(lexemes)) AS word "
            "GROUP BY word HAVING COUNT(*) >= %s ON CONFLICT DO NOTHING RETURNING lexeme",
            [min_products],
        )
        words = sorted(row[0] for row in cursor.fetchall())
        if words:
            cursor.execute(
                f"INSERT INTO catalogue_searchwordcount ({CELL_COLUMNS}, n) "
                f"SELECT {CELL_OF}, COUNT(*) "
                "FROM catalogue_product AS p, catalogue_search_word_cells("
                "    p.search_document, p.product_class_id, p.franchise_id, p.listing_price,"
                "    p.is_available, p.warning_level, p.character_ids) AS c "
                "WHERE p.is_public AND p.parent_id IS NULL AND c.lexeme = ANY(%s) "
                f"GROUP BY {CELL_OF}",
                [words],
            )
    return words
