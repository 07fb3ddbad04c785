"""A checkout allocating while staff save stock, run for real: the checkout on a connection of its
own, committing between the staff POST reading the stock record and saving it (PostgreSQL)."""

from django.urls import reverse

from tests.races import on_postgresql_with_commits
from tests.staff_forms import (
    checkout_allocates_when_loaded,
    form_data,
    product_form_post,
    stock_counts,
)

pytestmark = on_postgresql_with_commits


def test_checkout_allocation_survives_a_staff_save_in_the_admin(staff_client, stock):
    url = reverse("admin:partner_stockrecord_change", args=[stock.pk])
    page = staff_client.get(url)
    data = form_data(page.context["adminform"].form) | {"_save": "Save", "num_in_stock": "20"}

    with checkout_allocates_when_loaded(stock, 1, own_connection=True) as allocated:
        response = staff_client.post(url, data)

    assert response.status_code == 302 and allocated == [1]
    assert stock_counts(stock) == (20, 4)


def test_checkout_allocation_survives_a_staff_save_in_the_dashboard_product_form(
    staff_client, stock
):
    data = product_form_post(staff_client, stock.product)
    (in_stock,) = [key for key in data if key.endswith("-num_in_stock")]
    data[in_stock] = "20"

    with checkout_allocates_when_loaded(stock, 1, own_connection=True) as allocated:
        response = staff_client.post(
            reverse("dashboard:catalogue-product", kwargs={"pk": stock.product.pk}), data
        )

    assert response.status_code == 302 and allocated == [1]
    assert stock_counts(stock) == (20, 4)
