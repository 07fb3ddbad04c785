"""What the dashboard tests share: a stock record some orders hold units of."""

import pytest
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from tests.factories import merch

ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def stock():
    """A drop of 10 pins, 3 of them held by orders; the product as the dashboard's form accepts
    it back (in a category)."""
    pin = merch("Limited Drop Enamel Pin", stock=10)
    ProductCategory.objects.create(product=pin, category=create_from_breadcrumbs("Pins"))
    StockRecord.objects.filter(product=pin).update(num_allocated=3)
    return StockRecord.objects.get(product=pin)
