"""On PostgreSQL the stock words read again after a sale (catalogue.stock_slots) and the listing
columns refreshed when a product sells out (catalogue.indexing) find their stock records through
the index on the product, never by reading the whole table: at 100,000 products an OR across the
join to the products took about 100 ms. (The test catalogue is small, so the planner is told to
avoid scanning whole tables: what is checked is that an index can serve the query.)"""

import pytest
from django.db import connection
from oscar.core.loading import get_model

from catalogue.stock_slots import stock_records_of
from tests.factories import merch

StockRecord = get_model("partner", "StockRecord")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans"),
]


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def stock_record_scans(plan: str) -> list[tuple[str, str]]:
    """Each scan of the stock records in the plan, with the line after it (its condition)."""
    lines = [*plan.splitlines(), ""]
    return [
        (line.strip(), lines[n + 1].strip())
        for n, line in enumerate(lines)
        if " on partner_stockrecord" in line
    ]


def test_stock_words_are_read_through_the_products_index():
    products = [merch(f"Indexed Pin {n}", stock=n % 3) for n in range(30)]
    ids = [product.pk for product in products[:12]]

    plan = plan_of(stock_records_of(ids))

    scans = stock_record_scans(plan)
    assert scans, plan
    for scan, condition in scans:  # the whole table read and then filtered: no condition
        assert "partner_stockrecord_product_id" in scan, plan
        assert condition.startswith("Index Cond: (product_id = "), plan
    assert sorted(record.product_id for record in stock_records_of(ids)) == ids
