"""Paid orders as checkout leaves them (stock allocated, status "Paid"), and the dashboard's
dispatch form as staff post it."""

import uuid

from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import ShippingAddressFactory, create_order

from shop.order import pipeline
from shop.order.fulfilment import lines_left

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def paid_order(*lines, user=None, guest_email="shopper@example.com", first_name="Mika"):
    """An order for `lines` ((product, quantity) pairs), its units allocated, paid."""
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product, quantity in lines:
        basket.add_product(product, quantity)
    order = create_order(
        basket=basket,
        user=user,
        guest_email="" if user else guest_email,
        shipping_address=ShippingAddressFactory(first_name=first_name),
    )
    order.set_status(pipeline.PAID)
    return order


def order_page(order) -> str:
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def dispatch_form(order, *, carrier="usps", tracking="9400 1000 0000 0000 0000 01", **quantities):
    """The dispatch form as posted: every line's quantity field at what is left, unless given
    (`quantities` by line id as "quantity_<id>")."""
    data = {
        "order_action": "dispatch_order",
        "carrier": carrier,
        "tracking_number": tracking,
        "request_key": uuid.uuid4().hex,
    }
    for item in lines_left(order):
        if item.left:
            data[f"quantity_{item.line.pk}"] = str(item.left)
    return data | {name: str(value) for name, value in quantities.items()}
