"""On PostgreSQL every listing sort reads its page of ids in order from an index over listed
products, with or without the in-stock filter, instead of sorting the whole catalogue. (The test
catalogue is small, so the planner is told to avoid sorting and scanning: what is checked is that
the index can serve the query, as it does at 100k; docs/perf/explain-100k.txt shows it there.)"""

import pytest
from django.db import connection

from catalogue.selectors import listed_products
from shop.search import selectors
from tests.factories import merch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partial sort indexes are checked on PostgreSQL"
)


def page_plan(sort_by: str, *, in_stock: bool) -> str:
    products = listed_products()
    if in_stock:
        products = products.filter(is_available=True)
    ids = selectors.sorted_by(products, sort_by).values_list("pk", flat=True)[:24]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    return ids.explain()


@pytest.mark.django_db
@pytest.mark.parametrize("in_stock", [False, True])
@pytest.mark.parametrize(
    ("sort_by", "index"),
    [
        ("newest", "product_listed_newest"),
        ("price-asc", "product_listed_price_asc"),
        ("price-desc", "product_listed_price_desc"),
        ("title-asc", "product_listed_title"),
        ("best-selling", "product_listed_best_selling"),
    ],
)
def test_each_listing_sort_reads_its_page_from_an_index_without_sorting(sort_by, index, in_stock):
    for n in range(30):
        merch(f"Indexed Pin {n}", price=f"{5 + n}.00", stock=n % 3)
    plan = page_plan(sort_by, in_stock=in_stock)
    assert index in plan, plan
    assert "Sort" not in plan, plan
