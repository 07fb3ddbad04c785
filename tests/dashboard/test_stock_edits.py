"""Staff edit stock in the admin and in the dashboard's product form: they set the count, never
the allocations checkouts hold, and a save writes only what they changed."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue import generations
from tests.commits import commits
from tests.staff_forms import (
    checkout_allocates_when_loaded,
    form_data,
    product_form_post,
    stock_counts,
)

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def admin_url(record):
    return reverse("admin:partner_stockrecord_change", args=[record.pk])


def admin_form_post(staff_client, record, **changes) -> dict:
    page = staff_client.get(admin_url(record))
    assert page.status_code == 200
    return form_data(page.context["adminform"].form) | {"_save": "Save"} | changes


def stock_field(data: dict, name: str) -> str:
    """The posted name of the product form's first stock record field `name`."""
    (key,) = [key for key in data if key.startswith("stockrecords-0-") and key.endswith(name)]
    return key


def test_admin_shows_allocations_as_text_not_as_an_input(staff_client, stock):
    page = staff_client.get(admin_url(stock))

    assert page.status_code == 200
    assert "num_allocated" not in page.context["adminform"].form.fields
    assert b'name="num_allocated"' not in page.content
    assert b'name="num_in_stock"' in page.content
    assert b"Number allocated" in page.content


def test_admin_ignores_a_posted_allocation_count(staff_client, stock):
    data = admin_form_post(staff_client, stock, num_in_stock="20", num_allocated="0")

    response = staff_client.post(admin_url(stock), data)

    assert response.status_code == 302
    assert stock_counts(stock) == (20, 3)


def test_admin_save_keeps_an_allocation_made_since_the_page_was_loaded(staff_client, stock):
    data = admin_form_post(staff_client, stock, num_in_stock="20")
    StockRecord.objects.filter(pk=stock.pk).update(num_allocated=4)  # a checkout meanwhile

    staff_client.post(admin_url(stock), data)

    assert stock_counts(stock) == (20, 4)


def test_admin_save_keeps_an_allocation_made_while_the_post_runs(staff_client, stock):
    data = admin_form_post(staff_client, stock, num_in_stock="20")

    with checkout_allocates_when_loaded(stock, 1, own_connection=False) as allocated:
        response = staff_client.post(admin_url(stock), data)

    assert response.status_code == 302 and allocated == [1]
    assert stock_counts(stock) == (20, 4)


def test_dashboard_product_form_has_no_allocation_field_and_ignores_a_posted_one(
    staff_client, stock
):
    data = product_form_post(staff_client, stock.product)
    assert not [key for key in data if key.endswith("num_allocated")]
    data[stock_field(data, "num_in_stock")] = "20"
    data["stockrecords-0-num_allocated"] = "0"

    response = staff_client.post(
        reverse("dashboard:catalogue-product", kwargs={"pk": stock.product.pk}), data
    )

    assert response.status_code == 302
    assert stock_counts(stock) == (20, 3)


def test_dashboard_save_keeps_an_allocation_made_while_the_post_runs(staff_client, stock):
    data = product_form_post(staff_client, stock.product)
    data[stock_field(data, "num_in_stock")] = "20"

    with checkout_allocates_when_loaded(stock, 1, own_connection=False) as allocated:
        response = staff_client.post(
            reverse("dashboard:catalogue-product", kwargs={"pk": stock.product.pk}), data
        )

    assert response.status_code == 302 and allocated == [1]
    assert stock_counts(stock) == (20, 4)


@commits
def test_a_stock_edit_still_updates_listing_availability(staff_client, stock):
    before = generations.versions([generations.ALL_LISTINGS])[0]
    data = admin_form_post(staff_client, stock, num_in_stock="3")  # all 3 left are held

    staff_client.post(admin_url(stock), data)

    assert generations.versions([generations.ALL_LISTINGS])[0] != before
    assert Product.objects.get(pk=stock.product.pk).is_available is False
    data = product_form_post(staff_client, stock.product)
    data[stock_field(data, "num_in_stock")] = "5"
    staff_client.post(reverse("dashboard:catalogue-product", kwargs={"pk": stock.product.pk}), data)
    assert Product.objects.get(pk=stock.product.pk).is_available is True
