"""An add prices the line from the product's own stock records, read by SQL compiled once per
process (shop.basket.views): each product added gets its own record, the first by id where it has
several, as Oscar's default strategy takes the first."""

import pytest
from django.test import Client
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import add_to_basket

Basket = get_model("basket", "Basket")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def lines(client) -> list[tuple[str, str, str]]:
    basket = Basket.objects.get(pk=client.cookies["oscar_open_basket"].value.split(":")[0])
    return [
        (line.product.title, line.stockrecord.partner_sku, f"{line.price_incl_tax:.2f}")
        for line in basket.lines.order_by("pk")
    ]


def test_each_product_added_gets_its_own_stock_record_and_price():
    first = merch("Record Pin One", price="8.00")
    second = merch("Record Pin Two", price="11.50")
    shopper = Client()

    add_to_basket(shopper, first)
    add_to_basket(shopper, second)

    assert lines(shopper) == [
        ("Record Pin One", first.stockrecords.get().partner_sku, "8.00"),
        ("Record Pin Two", second.stockrecords.get().partner_sku, "11.50"),
    ]


def test_of_several_stock_records_the_first_prices_the_line():
    pin = merch("Two Warehouse Pin", price="9.00")
    first = pin.stockrecords.get()
    StockRecord.objects.create(
        product=pin,
        partner=Partner.objects.create(name="Second Warehouse"),
        partner_sku="SECOND-1",
        price=first.price + 5,
        num_in_stock=50,
    )
    shopper = Client()

    add_to_basket(shopper, pin)

    assert lines(shopper) == [("Two Warehouse Pin", first.partner_sku, "9.00")]
