"""The product columns listings read instead of joins: `warning_level` and `search_text`.

`refresh_listing_fields()` is the one place they are computed; receivers.py calls it whenever a
product's franchise, characters, warnings, type or attribute values change.
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils.html import strip_tags
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")

# PostgreSQL's full-text vector. Migration 0034 builds a GIN index on exactly this expression:
# change one, change the other (tests/catalogue/test_search.py checks the index is used).
SEARCH_CONFIG = "english"


def search_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("search_text", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )


def refresh_listing_fields(product_ids: Iterable[int]) -> None:
    """Recompute the warning level and search text of these products (and their children)."""
    ids = set(product_ids)
    if not ids:
        return
    products = (
        Product.objects.filter(pk__in=ids)
        .select_related("franchise", "product_class", "parent__franchise")
        .prefetch_related("characters", "parent__characters")
        .annotate(highest_warning=Coalesce(Max("content_warnings__level"), 0))
    )
    values_by_product: dict[int, list[str]] = {}
    for value in ProductAttributeValue.objects.filter(product__in=ids).select_related(
        "attribute", "value_option"
    ):
        values_by_product.setdefault(value.product_id, []).append(
            strip_tags(str(value.value_as_text))
        )
    changed = []
    for product in products:
        source = product.parent or product  # a variant is found by its parent's franchise
        words = [
            product.franchise.name if product.franchise else "",
            source.franchise.name if source.franchise and source is not product else "",
            *(character.name for character in product.characters.all()),
            product.product_class.name if product.product_class else "",
            *values_by_product.get(product.pk, []),
        ]
        search_text = " ".join(w for w in words if w)
        if (product.search_text, product.warning_level) != (search_text, product.highest_warning):
            product.search_text, product.warning_level = search_text, product.highest_warning
            changed.append(product)
    Product.objects.bulk_update(changed, ["search_text", "warning_level"])
    children = Product.objects.filter(parent_id__in=ids).values_list("pk", flat=True)
    if children:
        refresh_listing_fields(set(children) - ids)
