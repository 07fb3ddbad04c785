"""The review pages run the same queries whether a product has a couple of reviews or a page full
("Verified purchase" included: one query for the page, not one per review)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import UserFactory

from tests.catalogue.reviewing import add_url, buy, detail_url, list_url, write_review
from tests.factories import merch

pytestmark = pytest.mark.django_db


def reviewed(title, count):
    product = merch(title)
    for n in range(count):
        reviewer = UserFactory()
        if n % 2:
            buy(reviewer, product)
        write_review(product, user=reviewer, score=1 + n % 5, title=f"Review {n}")
    return product


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_review_pages_run_fixed_queries_with_few_or_many_reviews(client, settings):
    settings.OSCAR_REVIEWS_PER_PAGE = 20
    few, many = reviewed("Few reviews", 2), reviewed("Many reviews", 20)
    client.force_login(UserFactory())
    assert client.get(list_url(merch("Warm-up"))).status_code == 200
    counts = {
        page: [queries(client, url(product)) for product in (few, many)]
        for page, url in [
            ("list", list_url),
            ("detail", lambda p: detail_url(p.reviews.first())),
            ("write", add_url),
        ]
    }
    assert all(small == large for small, large in counts.values()), counts
    html = client.get(list_url(many)).content.decode()
    assert html.count("Verified purchase") == 10
