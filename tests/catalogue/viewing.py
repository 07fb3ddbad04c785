"""What the product-view tests share: a product page opened, and the views its record holds."""

from oscar.core.loading import get_model

ProductRecord = get_model("analytics", "ProductRecord")


def views_of(product) -> int:
    record = ProductRecord.objects.filter(product=product).first()
    return record.num_views if record else 0


def view(client, product):
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response
