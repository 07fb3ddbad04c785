"""PostgreSQL connections run without JIT: it compiled plans for ~200 ms to save microseconds on
the page-sized reads a shop makes (shop/settings.py)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting"),
]


def test_connections_run_with_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
