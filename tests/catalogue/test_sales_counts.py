"""Basket additions and purchases: counted once the shopper's transaction has committed and added
to Oscar's ProductRecord in batches, never written inside "Add to basket" or the order's
transaction, where every buyer of one product would queue on its record (catalogue.sales_counts).
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_model

from catalogue import sales_counts, view_counts
from shop.worker import jobs
from tests.catalogue.viewing import record_writes
from tests.factories import merch
from tests.orders import paid_order
from tests.shopping import add_to_basket, card, place_order, to_payment_step

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")

pytestmark = pytest.mark.django_db


def record_of(product) -> tuple[int, int]:
    """(basket additions, purchases) as the product's record holds them."""
    record = ProductRecord.objects.filter(product=product).first()
    return (record.num_basket_additions, record.num_purchases) if record else (0, 0)


def test_adding_to_the_basket_counts_after_the_commit_and_writes_the_record_in_a_batch(
    client, django_capture_on_commit_callbacks
):
    pin = merch("Added Pin", stock=5)

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as requests,
    ):
        add_to_basket(client, pin)
        add_to_basket(client, pin)

    assert record_writes(requests) == [] and record_of(pin) == (0, 0)
    assert sales_counts.basket_additions.counter.pending() == {pin.pk: 2}
    view_counts.flush(force=True)
    assert record_of(pin) == (2, 0)


def test_a_placed_order_counts_each_lines_units_and_the_best_selling_sort_follows(
    client, stripe_sim, sim_client, django_capture_on_commit_callbacks
):
    pin = merch("Bought Pin", price="10.00", stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        to_payment_step(client, pin, quantity=2)

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as placing,
    ):
        response = place_order(client, card(sim_client))

    assert response.status_code == 302
    assert record_writes(placing) == []
    assert sales_counts.purchases.counter.pending() == {pin.pk: 2}
    assert record_of(pin) == (0, 0)
    view_counts.flush(force=True)
    assert record_of(pin) == (1, 2)
    # The database copies the count onto the product row, which the best-selling sort reads.
    assert Product.objects.values_list("num_purchases", flat=True).get(pk=pin.pk) == 2


def test_an_order_its_transaction_rolls_back_counts_no_purchase(django_capture_on_commit_callbacks):
    pin = merch("Rolled Back Pin", price="10.00", stock=5)
    order = paid_order((pin, 3))

    with (
        django_capture_on_commit_callbacks(execute=True) as committed,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order_placed.send(sender=None, order=order, user=None)
        raise RuntimeError("the payment could not be recorded")

    assert committed == []
    assert sales_counts.purchases.counter.pending() == {}


def test_a_signed_in_shoppers_own_record_is_still_written_in_the_request(
    client, django_user_model, django_capture_on_commit_callbacks
):
    pin = merch("History Add Pin", stock=5)
    shopper = django_user_model.objects.create_user("rin", "rin@example.com", "pw")
    client.force_login(shopper)

    with django_capture_on_commit_callbacks(execute=True):
        add_to_basket(client, pin)

    assert UserRecord.objects.get(user=shopper).num_basket_additions == 1
    assert record_of(pin) == (0, 0)


def test_additions_and_purchases_counted_in_redis_reach_the_records_through_one_job_run(
    client, redis, stripe_sim, sim_client, django_capture_on_commit_callbacks
):
    pin = merch("Shared Sales Pin", price="10.00", stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        to_payment_step(client, pin, quantity=3)
        place_order(client, card(sim_client))
    view_counts.flush(force=True)  # what an app server would write itself: nothing

    assert record_of(pin) == (0, 0)
    assert jobs.write_sales_counts.call() == 4

    assert record_of(pin) == (1, 3)
    assert jobs.write_sales_counts.call() == 0  # nothing new: nothing added
    assert record_of(pin) == (1, 3)


@task()
def buy_in_the_worker(product_id: int) -> None:
    """A job that counts a purchase, as the unattended checkout completion's order does."""
    sales_counts.purchases.count(product_id, 2)


def test_a_task_workers_counts_are_written_after_its_job_once_due(settings):
    """Without Redis each process writes what it counted; a task worker serves no requests, so
    its jobs are what let it write."""
    pin = merch("Worker Pin", stock=5)
    settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = 0
    buy_in_the_worker.enqueue(pin.pk)
    (job,) = DBTaskResult.objects.ready().filter(task_path__endswith=".buy_in_the_worker")
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="sales-counts-test",
        excluded_queue_names=[],
    )

    worker.run_task(job)

    assert record_of(pin) == (0, 2)
    assert sales_counts.purchases.counter.pending() == {}
