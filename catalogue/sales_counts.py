"""Basket additions and purchases: Oscar's analytics counts, kept as product views are
(catalogue.view_counts) and added to ProductRecord in batches, never inside the shopper's
transaction.

Oscar's receivers UPDATE the product's ProductRecord inside "Add to basket" and inside the order's
transaction. During a drop every shopper of one pin updates that same row, each holding its lock
until its transaction ends: the order's while it also holds the stock record's. The purchase count
is also copied onto the product row by a trigger (migration 0043, the best-selling sort), which
rewrites that row and its search indexes once per order. Here each is counted once its
transaction has committed (a sold-out order rolls back and counts nothing), by HINCRBY into the
shared Redis or in the process, and a task worker's periodic job adds the batch to the records
(`write_shared_sales`), every SHOP_PRODUCT_VIEWS_FLUSH_SECONDS: the best-selling order may lag
the sales by that long. A signed-in shopper's own record (UserRecord) is still written in the
request, as Oscar does: it is that shopper's row alone.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from oscar.apps.basket.signals import basket_addition
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_class, get_model

from .view_counts import Tally, add_to_records

UserRecord = get_model("analytics", "UserRecord")

basket_additions = Tally(
    "basket-additions",
    write=partial(add_to_records, "num_basket_additions"),
    label="Basket additions",
    noun="products",
)
purchases = Tally(
    "purchases",
    write=partial(add_to_records, "num_purchases"),
    label="Purchases",
    noun="products",
)


def write_shared_sales() -> int:
    """Add the basket additions and purchases counted in Redis to their records; the counts."""
    return basket_additions.write_shared() + purchases.write_shared()


# Oscar's receivers write the product's record in the request; ours replace them.
basket_addition.disconnect(get_class("analytics.receivers", "receive_basket_addition"))
order_placed.disconnect(get_class("analytics.receivers", "receive_order_placed"))
_update_counter = get_class("analytics.receivers", "_update_counter")
_record_user_order = get_class("analytics.receivers", "_record_user_order")


@receiver(basket_addition, dispatch_uid="catalogue.basket_addition")
def receive_basket_addition(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    transaction.on_commit(partial(basket_additions.count, product.pk))
    if user and user.is_authenticated:
        _update_counter(UserRecord, "num_basket_additions", {"user": user})


@receiver(order_placed, dispatch_uid="catalogue.order_placed")
def receive_order_placed(sender, order, user, **kwargs):
    if kwargs.get("raw", False):
        return
    bought = Counter()
    for line in order.lines.all():
        if line.product_id is not None:
            bought[line.product_id] += line.quantity
    transaction.on_commit(partial(_count_purchases, bought))
    if user and user.is_authenticated:
        _record_user_order(user, order)


def _count_purchases(bought: Counter) -> None:
    for product_id, quantity in bought.items():
        purchases.count(product_id, quantity)
