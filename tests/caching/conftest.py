"""Invalidation end to end: the whole-page cache on, each test's pages built afresh."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.pagecache import forget_local


@pytest.fixture(autouse=True)
def _empty_local_layer():
    forget_local()
    yield
    forget_local()


def get(client, url):
    """The response and how many queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def is_hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"
