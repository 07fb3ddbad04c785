"""Order placement with safe stock allocation, and its end: consuming it at dispatch.

Oscar's `StockRecord.allocate()` adds to `num_allocated` without looking at what is left, so under
concurrency it sells units that are not there. Here allocation is one conditional UPDATE: it
succeeds only while `num_in_stock - num_allocated >= quantity`, which the database evaluates
against the latest committed row, so the last unit is never sold twice.

Each order line also keeps the article its basket line came from (blog.attribution), and
`place_order` runs four queries fewer than Oscar's (see there).
"""

from decimal import Decimal

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.apps.order.signals import order_placed
from oscar.apps.order.utils import OrderCreator as CoreOrderCreator
from oscar.core.loading import get_class, get_model

from catalogue.indexing import holding

Line = get_model("order", "Line")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
StockRecord = get_model("partner", "StockRecord")


class OutOfStock(UnableToPlaceOrder):
    """Not enough stock left for a line; nothing was allocated for the order."""

    def __init__(self, product):
        self.product = product
        super().__init__(f"Sold out: {product.get_title()}")


def allocate(stockrecord, quantity: int) -> None:
    """Hold `quantity` units for an order, or raise OutOfStock."""
    counts = _hold(stockrecord, quantity)
    if counts is None:
        raise OutOfStock(stockrecord.product)
    in_stock, allocated = counts
    # The save signals see the committed row as the hold found it, then as it left it: both from
    # the UPDATE's answer. The receivers tell a hold of the last free unit from the others.
    with holding(stockrecord):
        stockrecord.num_in_stock, stockrecord.num_allocated = in_stock, allocated - quantity
        stockrecord.pre_save_signal()
        stockrecord.num_allocated = allocated
        stockrecord.post_save_signal()


def _hold(stockrecord, quantity: int) -> tuple[int, int] | None:
    """The conditional UPDATE, answering the row's (on hand, allocated) after it, or None when
    fewer than `quantity` units were free. RETURNING saves reading the row back (PostgreSQL;
    SQLite since 3.35)."""
    connection = connections[router.db_for_write(StockRecord, instance=stockrecord)]
    table = connection.ops.quote_name(StockRecord._meta.db_table)
    pk, in_stock, allocated = (
        connection.ops.quote_name(StockRecord._meta.get_field(name).column)
        for name in ("id", "num_in_stock", "num_allocated")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {allocated} = COALESCE({allocated}, 0) + %s "
            f"WHERE {pk} = %s AND {in_stock} >= COALESCE({allocated}, 0) + %s "
            f"RETURNING {in_stock}, {allocated}",
            [quantity, stockrecord.pk, quantity],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0] or 0, row[1])


class OrderCreator(CoreOrderCreator):
    def place_order(
        self,
        basket,
        total,
        shipping_method,
        shipping_charge,
        user=None,
        shipping_address=None,
        billing_address=None,
        order_number=None,
        status=None,
        request=None,
        surcharges=None,
        **kwargs,
    ):
        """Oscar's, but for three things each a query: it does not ask whether the order number
        is taken (the number is unique in the table: the INSERT refuses a second one), its
        transaction is the caller's when there is one (Oscar opens a savepoint inside it), and it
        locks the basket's vouchers only when the basket may hold any (`Basket.knowing_vouchers`:
        a basket known to hold none asks nothing)."""
        if basket.is_empty:
            raise ValueError(_("Empty baskets cannot be submitted"))
        if not order_number:
            order_number = OrderNumberGenerator().order_number(basket)
        if not status:
            status = getattr(settings, "OSCAR_INITIAL_ORDER_STATUS", status)
        with transaction.atomic(savepoint=False):
            kwargs["surcharges"] = surcharges
            order = self.create_order_model(
                user,
                basket,
                shipping_address,
                shipping_method,
                shipping_charge,
                billing_address,
                total,
                order_number,
                status,
                request,
                **kwargs,
            )
            for voucher in basket.vouchers.select_for_update():
                if not voucher.is_active():  # the basket ignores inactive vouchers
                    basket.vouchers.remove(voucher)
                else:
                    available_to_user, msg = voucher.is_available_to_user(user=user)
                    if not available_to_user:
                        raise ValueError(msg)
            for application in basket.offer_applications:
                application["message"] = application["offer"].apply_deferred_benefit(
                    basket, order, application
                )
                if application["result"].affects_shipping:
                    shipping_discount = shipping_method.discount(basket)
                    if shipping_discount <= Decimal("0.00"):
                        continue
                    application["discount"] = shipping_discount
                self.create_discount_model(order, application)
                self.record_discount(application)
            for voucher in basket.vouchers.all():
                self.record_voucher_usage(order, voucher, user)
            for line in basket.all_lines():
                self.create_line_models(order, line)
            # In stock-record order, so that concurrent orders lock the rows in the same order.
            for line in sorted(basket.all_lines(), key=lambda line: line.stockrecord_id):
                self.update_stock_records(line)
        order_placed.send(sender=self, order=order, user=user)
        return order

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        extra = {**(extra_line_fields or {}), "post_id": basket_line.post_id}
        line = super().create_line_models(order, basket_line, extra)
        # The order's lines as written, for what reads them in this request (the sales counts
        # Oscar's analytics add up when the order is placed), instead of asking for them again.
        cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
        lines = cache.get("lines")
        if lines is None:
            lines = cache["lines"] = order.lines.all()  # unevaluated: no query
            lines._result_cache, lines._prefetch_done = [], True
        lines._result_cache.append(line)
        return line

    def update_stock_records(self, line):
        if line.product.get_product_class().track_stock:
            record = line.stockrecord
            if record.product_id == line.product_id:  # the stock saves' receivers read it
                type(record).product.field.set_cached_value(record, line.product)
            allocate(record, line.quantity)


def consume(line, quantity: int) -> None:
    """Send `quantity` units of an order line out of the warehouse: they leave the line's
    allocation and the stock record's `num_allocated` and `num_in_stock` together, so what
    checkouts may still sell (in stock - allocated) does not move. Oscar's
    `StockRecord.consume_allocation` checks the counts it loaded before updating them; here the
    database subtracts from the committed row, whatever checkouts allocated meanwhile."""
    Line.objects.filter(pk=line.pk).update(
        num_allocated=Greatest(Coalesce(F("num_allocated"), 0) - quantity, 0)
    )
    record = line.stockrecord
    if record is None or not record.can_track_allocations:
        return
    record.pre_save_signal()
    # Never below zero: what left the warehouse left, even if staff miscounted the shelf.
    StockRecord.objects.filter(pk=record.pk).update(
        num_allocated=Greatest(Coalesce(F("num_allocated"), 0) - quantity, 0),
        num_in_stock=Greatest(Coalesce(F("num_in_stock"), 0) - quantity, 0),
    )
    record.refresh_from_db(fields=["num_allocated", "num_in_stock"])
    record.post_save_signal()
