"""Dispatch under concurrency, run for real on PostgreSQL: two posts of the dispatch form at once
(a double click, two members of staff) make one shipment and consume the stock once, and a
checkout allocating the same stock meanwhile keeps its units."""

import threading
import time

from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.order.models import Shipment
from tests.factories import merch
from tests.orders import dispatch_form, order_page, paid_order
from tests.races import on_postgresql_with_commits
from tests.staff_forms import checkout_allocates_when_loaded, stock_counts

Order = get_model("order", "Order")
ShippingEvent = get_model("order", "ShippingEvent")
StockRecord = get_model("partner", "StockRecord")

pytestmark = on_postgresql_with_commits


def waiting_on_a_lock() -> bool:
    """Whether another connection is blocked on a row lock right now (asked from inside a
    transaction, so the statistics snapshot is dropped first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_two_dispatch_posts_at_once_make_one_shipment_and_consume_the_stock_once(
    django_user_model,
):
    pin = merch("Limited Drop Enamel Pin", stock=10)
    order = paid_order((pin, 2))
    staff = django_user_model.objects.create_superuser("staff", "staff@example.com", "x")
    first, second = Client(), Client()
    first.force_login(staff)
    second.force_login(staff)
    # Two tabs: each form has its own request key, both send everything.
    forms = [dispatch_form(order), dispatch_form(order)]
    responses, started = {}, []

    def post(name, client, data):
        try:
            responses[name] = client.post(order_page(order), data, follow=True)
        finally:
            connection.close()

    def second_post_meets_the_lock(sender, instance, created, **kwargs):
        # The first post holds the order's lock and has made its shipping event: now the second
        # post arrives, and must wait for it.
        if started or threading.current_thread().name != "first":
            return
        started.append(True)
        threading.Thread(target=post, args=("second", second, forms[1]), name="second").start()
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)

    post_save.connect(
        second_post_meets_the_lock, sender=ShippingEvent, weak=False, dispatch_uid="race"
    )
    try:
        thread = threading.Thread(target=post, args=("first", first, forms[0]), name="first")
        thread.start()
        thread.join(timeout=30)
        for each in threading.enumerate():
            if each.name == "second":
                each.join(timeout=30)
    finally:
        post_save.disconnect(sender=ShippingEvent, dispatch_uid="race")

    assert started, "the second post never ran"
    assert Shipment.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == pipeline.DISPATCHED
    record = StockRecord.objects.get(product=pin)
    assert stock_counts(record) == (8, 0)
    # (The page's text, not the test client's context: that collects templates from any thread.)
    assert "has already been dispatched" in responses["second"].content.decode()
    assert "Dispatched by USPS" in responses["first"].content.decode()


def test_a_checkout_allocating_during_a_dispatch_keeps_its_units(staff_client):
    pin = merch("Limited Drop Enamel Pin", stock=10)
    order = paid_order((pin, 2))
    record = StockRecord.objects.get(product=pin)
    assert stock_counts(record) == (10, 2)

    with checkout_allocates_when_loaded(record, 3, own_connection=True) as allocated:
        response = staff_client.post(order_page(order), dispatch_form(order))

    assert response.status_code == 302 and allocated == [3]
    # Two units left the shelf; the checkout's three stay held.
    assert stock_counts(record) == (8, 3)
