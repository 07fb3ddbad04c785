"""Product page views: every view counts, rendered or served from the page cache, and reaches
Oscar's ProductRecord.num_views in batches after the response, never inside a request
(catalogue.view_counts)."""

import logging
import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from catalogue import view_counts
from tests.catalogue.viewing import record_writes, view, views_of
from tests.factories import merch

ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")

pytestmark = pytest.mark.django_db


@pytest.mark.page_cache
def test_every_anonymous_view_counts_whether_rendered_or_served_from_the_cache(client):
    pin = merch("Counted Pin")

    with CaptureQueriesContext(connection) as requests:
        pages = [view(client, pin) for _ in range(3)]

    assert [page.get("X-Page-Cache") for page in pages] == [None, "hit", "hit"]
    assert record_writes(requests) == [] and views_of(pin) == 0  # counted, not yet written
    view_counts.flush(force=True)
    assert views_of(pin) == 3


@pytest.mark.page_cache
def test_a_signed_in_view_counts_once_and_joins_the_shoppers_history(client, django_user_model):
    pin = merch("History Pin")
    shopper = django_user_model.objects.create_user("kaito", "kaito@example.com", "pw")
    client.force_login(shopper)

    assert "X-Page-Cache" not in view(client, pin)
    view_counts.flush(force=True)

    assert views_of(pin) == 1
    assert UserProductView.objects.filter(user=shopper, product=pin).count() == 1
    assert UserRecord.objects.get(user=shopper).num_product_views == 1


def test_views_are_written_in_one_batch_once_the_interval_has_passed(
    client, settings, django_assert_max_num_queries
):
    pin, badge = merch("Batch Pin"), merch("Batch Badge")
    with CaptureQueriesContext(connection) as requests:
        for product, times in ((pin, 5), (badge, 3)):
            for _ in range(times):
                view(client, product)
    assert record_writes(requests) == []

    settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = 0
    # Savepoint, the records missing, one insert for them, one update per product, release.
    with django_assert_max_num_queries(6) as flushed:
        view_counts.flush()

    assert [sql.split()[0] for sql in record_writes(flushed)] == ["INSERT", "UPDATE", "UPDATE"]
    assert (views_of(pin), views_of(badge)) == (5, 3)


def test_a_failed_write_keeps_the_views_for_the_next_flush_and_the_page_still_answers(
    client, settings, caplog
):
    pin = merch("Locked Pin")
    view(client, pin)
    settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = 0  # every request's end now flushes

    def database_is_locked(execute, sql, params, many, context):
        if sql.startswith('UPDATE "analytics_productrecord"'):
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with (
        connection.execute_wrapper(database_is_locked),
        caplog.at_level(logging.WARNING, logger="catalogue.view_counts"),
    ):
        view(client, pin)

    # One line naming the error, no traceback: while PostgreSQL is down each flush fails.
    [record] = caplog.records
    assert record.getMessage() == (
        "Product views of 1 products not saved (OperationalError: database is locked); "
        "kept for the next flush"
    )
    assert record.exc_info is None
    assert not ProductRecord.objects.filter(product=pin).exists()  # the batch is all or nothing
    view(client, pin)  # this one's flush writes all three
    assert views_of(pin) == 3


def test_views_of_a_product_deleted_before_the_flush_are_dropped(client):
    pin, gone = merch("Kept Pin"), merch("Withdrawn Pin")
    view(client, pin)
    view(client, gone)
    gone_id = gone.pk
    gone.delete()

    view_counts.flush(force=True)

    assert views_of(pin) == 1
    assert not ProductRecord.objects.filter(product_id=gone_id).exists()


def test_views_counted_by_many_threads_while_flushing_are_each_written_once(monkeypatch):
    written = Counter()
    monkeypatch.setattr(view_counts, "write_views", written.update)

    def shopper():
        for _ in range(2000):
            view_counts.count_view(7)

    threads = [threading.Thread(target=shopper) for _ in range(8)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        view_counts.flush(force=True)
    view_counts.flush(force=True)

    assert written == {7: 16000}
