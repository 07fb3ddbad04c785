"""The best-selling sort reads Product.num_purchases, which the database keeps equal to Oscar's
analytics count (ProductRecord.num_purchases) however it changes: the counter Oscar bumps when an
order is placed, a record deleted, and a staff save of a product loaded before the sale."""

import pytest
from django.urls import reverse
from oscar.apps.analytics.receivers import _update_counter
from oscar.core.loading import get_model

from tests.factories import merch

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")


def purchases(product) -> int:
    return Product.objects.values_list("num_purchases", flat=True).get(pk=product.pk)


def order_placed(product, quantity: int) -> None:
    """What Oscar's analytics receiver does for each line of a placed order."""
    _update_counter(ProductRecord, "num_purchases", {"product_id": product.pk}, quantity)


@pytest.mark.django_db
def test_purchase_count_follows_the_orders_oscar_counts():
    pin = merch("Counted Pin")
    assert purchases(pin) == 0
    order_placed(pin, 2)  # creates the record
    order_placed(pin, 3)  # an UPDATE ... SET num_purchases = num_purchases + 3
    assert purchases(pin) == 5
    ProductRecord.objects.filter(product=pin).delete()
    assert purchases(pin) == 0


@pytest.mark.django_db
def test_a_save_of_a_product_loaded_before_a_sale_keeps_the_sale():
    pin = merch("Edited Pin")
    stale = Product.objects.get(pk=pin.pk)
    order_placed(pin, 4)
    stale.title = "Edited Pin, renamed"
    stale.save()
    assert purchases(pin) == 4


@pytest.mark.django_db
def test_best_selling_lists_the_most_bought_first_then_the_newest(client):
    older, newer, bought = merch("Older Pin"), merch("Newer Pin"), merch("Bought Pin")
    order_placed(bought, 1)
    response = client.get(reverse("catalogue:index"), {"sort_by": "best-selling"})
    assert [p.title for p in response.context["products"]] == [
        bought.title,
        newer.title,
        older.title,
    ]
