"""A product built in several saves inside `refreshed_once()` (the demo seed, the tests' merch())
ends with the listing columns and facet cells it would have had refreshed after every save, for
the work of one refresh; and nothing is refreshed when the block raises."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from catalogue import facet_counts
from catalogue.indexing import LISTING_FIELDS, refreshed_once
from tests.factories import CharacterFactory, ContentWarningFactory, FranchiseFactory

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
FacetMembership = get_model("catalogue", "FacetMembership")


@pytest.fixture
def parts(db):
    franchise = FranchiseFactory(name="Batch Academy")
    return {
        "franchise": franchise,
        "characters": [CharacterFactory(franchise=franchise, name=n) for n in ("Aoi", "Ren")],
        "warning": ContentWarningFactory(level=2),
        "category": create_from_breadcrumbs("Enamel pins > Hard enamel"),
    }


def build(parts, upc: str):
    """The steps a seed takes: the row, its stock, its category, franchise, cast and warnings."""
    product = create_product(upc=upc, title="Batch Pin", price=Decimal("14.00"), num_in_stock=2)
    ProductCategory.objects.create(product=product, category=parts["category"])
    product.franchise = parts["franchise"]
    product.save()
    product.characters.set(parts["characters"])
    product.content_warnings.set([parts["warning"]])
    return product


def listed_as(product) -> tuple:
    """Its listing columns (its search text without its own UPC) and the facet cells it is
    counted in."""
    product = Product.objects.get(pk=product.pk)
    columns = {name: getattr(product, name) for name in LISTING_FIELDS}
    columns["search_text"] = columns["search_text"].removeprefix(product.upc)
    cells = FacetMembership.objects.get(product_id=product.pk).cells
    return columns, set(map(tuple, cells))


def test_a_product_built_in_a_block_lists_as_one_refreshed_after_every_save(parts):
    step_by_step = build(parts, "STEP-1")
    with refreshed_once():
        batched = build(parts, "BATCH-1")
    assert listed_as(batched) == listed_as(step_by_step)
    columns, cells = listed_as(batched)
    assert columns["listing_price"] == Decimal("14.00") and columns["is_available"]
    assert "Batch Academy Aoi Ren" in columns["search_text"]
    assert facet_counts.franchise_listing(parts["franchise"].pk) in {cell[0] for cell in cells}


def membership_reads(build_it) -> int:
    """How many queries read the products' stored facet cells while `build_it()` runs."""
    with CaptureQueriesContext(connection) as queries:
        build_it()
    table = FacetMembership._meta.db_table
    return sum(
        query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"]
        for query in queries.captured_queries
    )


def test_the_block_reads_the_facet_cells_once_where_every_save_would(parts):
    def in_block():
        with refreshed_once():
            build(parts, "COUNT-2")

    assert membership_reads(lambda: build(parts, "COUNT-1")) >= 6  # one per save at least
    assert membership_reads(in_block) <= 2  # one recount: its read, its locked reread


def test_nothing_is_refreshed_when_the_block_raises(parts):
    with pytest.raises(RuntimeError), refreshed_once():
        product = build(parts, "RAISED-1")
        raise RuntimeError("the seed stopped")
    product = Product.objects.get(pk=product.pk)
    assert product.listing_price is None and product.search_text == ""
    assert not FacetMembership.objects.filter(product_id=product.pk).exists()
