"""PostgreSQL connections run without JIT: it compiled plans for ~200 ms to save microseconds on
the page-sized reads a shop makes. They bind parameters on the server, so that a statement run
again on a connection is parsed (and, once PostgreSQL settles on a plan, planned) only once
(shop/settings.py)."""

import pytest
from django.db import connection
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting"),
]


def test_connections_run_with_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def prepared_statements_like(pattern: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [pattern]
        )
        return [statement for (statement,) in cursor.fetchall()]


def test_a_query_run_again_on_a_connection_is_prepared_with_its_values_apart():
    pattern = '%FROM "catalogue_product" WHERE "catalogue_product"."upc" = $%'
    assert not Product.objects.filter(upc="first").exists()
    assert prepared_statements_like(pattern) == []  # run once: not worth preparing

    assert not Product.objects.filter(upc="second").exists()
    assert not Product.objects.filter(upc="third").exists()

    assert len(prepared_statements_like(pattern)) == 1  # one statement for every value
