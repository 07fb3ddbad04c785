"""The facet cells stay exact when orders sell out products, staff edit the same products and the
worker compacts, all at once (PostgreSQL: each thread its own connection and transaction)."""

from django.db import transaction
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue import facet_counts
from shop.order.utils import allocate
from tests.catalogue.test_facet_counts import counted, kept
from tests.factories import FranchiseFactory, merch
from tests.races import at_once, on_postgresql_with_commits

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")

pytestmark = on_postgresql_with_commits


def sell_last_unit(product_id):
    with transaction.atomic():  # as the checkout does: one transaction per order
        allocate(StockRecord.objects.get(product_id=product_id), 1)


def move_to(product_id, franchise):
    with transaction.atomic():
        product = Product.objects.get(pk=product_id)
        product.franchise = franchise
        product.save()


def compact_while_they_run():
    for _ in range(10):
        facet_counts.compact()


def test_sell_outs_edits_and_compaction_at_once_leave_every_count_exact():
    first, second = FranchiseFactory(name="Race Academy"), FranchiseFactory(name="Photo Finish")
    pins = create_from_breadcrumbs("Enamel pins > Race pins")
    made = [merch(f"Last Pin {n}", price="12.00", stock=1, franchise=first) for n in range(12)]
    for product in made:
        ProductCategory.objects.create(product=product, category=pins)
    ids = [product.pk for product in made]

    at_once(
        [lambda pk=pk: sell_last_unit(pk) for pk in ids]
        + [lambda pk=pk: move_to(pk, second) for pk in ids[::2]]
        + [compact_while_they_run] * 2
    )

    listed = Product.objects.browsable()
    listings = {
        facet_counts.CATALOGUE: listed,
        facet_counts.category_listing(pins.pk): listed.filter(categories=pins),
        facet_counts.franchise_listing(first.pk): listed.filter(franchise=first),
        facet_counts.franchise_listing(second.pk): listed.filter(franchise=second),
    }
    for listing, products in listings.items():
        assert kept(listing) == counted(products), listing
    sold_out = sum(n for key, n in kept(facet_counts.CATALOGUE)[0].items() if not key[3])
    assert sold_out == 12
    assert kept(facet_counts.franchise_listing(second.pk))[0].total() == 6
