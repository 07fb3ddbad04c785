"""A kept PostgreSQL connection is checked before each request reuses it (CONN_HEALTH_CHECKS)
without a round trip: the server says so when it ends a session, and a connection it ended is
replaced before the request's first query (shop/postgresql)."""

import time

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL backend"),
]


@pytest.fixture
def kept():
    """A second connection to the test database, kept open as a worker keeps its own."""
    other = connection.copy()
    other.ensure_connection()
    yield other
    other.close()


def backend_pid(wrapper) -> int:
    return wrapper.connection.info.backend_pid


def last_query_of(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def test_a_kept_connection_is_found_usable_without_a_query(kept):
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'the last query'")

    assert kept.is_usable()
    assert last_query_of(backend_pid(kept)) == "SELECT 'the last query'"


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_queries(kept):
    ended = backend_pid(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [ended])
    deadline = time.monotonic() + 5
    while kept.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye is on its way
    assert not kept.is_usable()

    kept.health_check_enabled, kept.health_check_done = True, False  # as at a request's start
    with kept.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    assert backend_pid(kept) != ended
