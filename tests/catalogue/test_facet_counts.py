"""The facet counts kept ready for listings (catalogue.facet_counts) equal a fresh GROUP BY of the
same products after every kind of change: products created, edited, sold out, moved between
categories, hidden and deleted, franchises deleted; and the listing pages show the same counts
from them as counted live."""

from collections import Counter

import pytest
from django.db.models import Count
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue import facet_counts
from shop.order.utils import allocate
from shop.search import facets
from tests.factories import CharacterFactory, ContentWarningFactory, FranchiseFactory, merch

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
FacetCount = get_model("catalogue", "FacetCount")
ProductCharacter = Product.characters.through


def kept(listing: str) -> tuple[Counter, Counter]:
    """(type, franchise, band, available, level) → products, and character → products, as kept."""
    rows, by_character = Counter(), Counter()
    for cell in facet_counts.cells(listing):
        if cell["character_id"] is None:
            key = tuple(cell[c] for c in facet_counts.CELL[1:])
            rows[key] += cell["n"]
        else:
            by_character[cell["character_id"]] += cell["n"]
    return rows, by_character


def counted(products) -> tuple[Counter, Counter]:
    """The same, from a fresh GROUP BY of the products (the live path of shop.search.facets)."""
    rows = Counter()
    grouped, _ = facets._rows_from_groups(facets.grouped(products), facets.Filters())
    for row in grouped:
        key = (
            row["product_class_id"],
            row["franchise_id"],
            row["band"],
            row["is_available"],
            row["warning_level"],
        )
        rows[key] += row["n"]
    by_character = Counter(
        dict(
            ProductCharacter.objects.filter(product__in=products)
            .values_list("character_id")
            .annotate(n=Count("product_id"))
            .order_by()
        )
    )
    return +rows, +by_character


@pytest.fixture
def shop(db):
    franchise = FranchiseFactory(name="Counting Academy")
    other = FranchiseFactory(name="Abacus Knights")
    mika, yuzu = (CharacterFactory(franchise=franchise) for _ in range(2))
    pins = create_from_breadcrumbs("Enamel pins > Hard enamel")
    stickers = create_from_breadcrumbs("Stickers")
    made = {
        "cheap": merch("Cheap Pin", price="5.00", stock=1, franchise=franchise, characters=[mika]),
        "mid": merch(
            "Mid Pin", price="15.00", stock=3, franchise=franchise, characters=[mika, yuzu]
        ),
        "dear": merch("Dear Pin", price="45.00", stock=0, franchise=other),
        "sticker": merch("Sticker", price="3.00", product_class="Sticker", characters=[yuzu]),
    }
    for product in ("cheap", "mid", "dear"):
        ProductCategory.objects.create(product=made[product], category=pins)
    ProductCategory.objects.create(product=made["sticker"], category=stickers)
    return made | {
        "franchise": franchise,
        "other": other,
        "pins": pins,
        "parent_category": Category.objects.get(depth=1, name="Enamel pins"),
        "stickers": stickers,
        "mika": mika,
    }


def assert_counts_are_fresh(shop):
    listed = Product.objects.browsable()
    # Read again: a move elsewhere changes a category's path and number of children.
    categories = {
        facet_counts.category_listing(c.pk): Category.objects.get(pk=c.pk)
        for c in (shop["pins"], shop["parent_category"], shop["stickers"])
    }
    listings = {facet_counts.CATALOGUE: listed}
    for listing, category in categories.items():
        tree = Category.objects.get_tree(category)
        listings[listing] = listed.filter(
            pk__in=ProductCategory.objects.filter(category__in=tree).values("product_id")
        )
    for franchise in (shop["franchise"], shop["other"]):
        if franchise.pk is not None:  # not deleted
            listings[facet_counts.franchise_listing(franchise.pk)] = listed.filter(
                franchise=franchise
            )
    for listing, products in listings.items():
        assert kept(listing) == counted(products), listing


@pytest.mark.django_db
def test_counts_equal_a_fresh_group_by_after_products_are_created(shop):
    assert_counts_are_fresh(shop)
    assert kept(facet_counts.CATALOGUE)[0]  # not trivially empty


@pytest.mark.django_db
def test_counts_follow_price_franchise_warning_and_character_edits(shop):
    record = shop["cheap"].stockrecords.get()
    record.price = "25.00"
    record.save()
    shop["mid"].franchise = shop["other"]
    shop["mid"].save()
    shop["dear"].content_warnings.add(ContentWarningFactory())
    shop["sticker"].characters.add(shop["mika"])
    shop["cheap"].characters.clear()
    assert_counts_are_fresh(shop)


@pytest.mark.django_db
def test_selling_the_last_unit_moves_the_product_out_of_stock(shop):
    cells_before = FacetCount.objects.count()
    allocate(shop["mid"].stockrecords.get(), 2)  # one left: nothing moves, nothing is written
    assert FacetCount.objects.count() == cells_before
    allocate(shop["mid"].stockrecords.get(), 1)
    assert_counts_are_fresh(shop)
    in_stock = sum(n for key, n in kept(facet_counts.CATALOGUE)[0].items() if key[3])
    assert in_stock == 2  # the cheap pin and the sticker


@pytest.mark.django_db
def test_counts_follow_category_moves_hiding_and_deletes(shop):
    ProductCategory.objects.get(product=shop["dear"]).delete()
    ProductCategory.objects.create(product=shop["sticker"], category=shop["pins"])
    shop["cheap"].is_public = False
    shop["cheap"].save()
    shop["mid"].delete()
    gone = facet_counts.franchise_listing(shop["other"].pk)
    shop["other"].delete()
    assert_counts_are_fresh(shop)
    assert kept(gone) == (Counter(), Counter())


@pytest.mark.django_db
def test_compact_folds_the_signed_rows_and_keeps_every_count(shop):
    for price in ("25.00", "5.00", "35.00"):
        record = shop["cheap"].stockrecords.get()
        record.price = price
        record.save()
    before = {listing: kept(listing) for listing in FacetCount.objects.values_list("listing")}
    rows_before = FacetCount.objects.count()
    facet_counts.compact()
    assert FacetCount.objects.count() < rows_before
    assert {listing: kept(listing) for listing in before} == before
    assert not FacetCount.objects.filter(n__lte=0).exists()
    assert_counts_are_fresh(shop)


@pytest.mark.django_db
def test_rebuild_counts_products_inserted_without_signals(shop):
    FacetCount.objects.all().delete()
    facet_counts.rebuild()
    assert_counts_are_fresh(shop)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "in_stock=1",
        "price=10-20&price=30-plus",
        "type=enamel-pin&hide_warnings=1",
        "character={mika}",
        "character={mika}&in_stock=1&type=enamel-pin",
    ],
)
def test_listing_pages_show_the_counts_a_live_count_gives(client, shop, query):
    query = query.format(mika=shop["mika"].pk)
    urls = [
        reverse("catalogue:index"),
        shop["parent_category"].get_absolute_url(),
        shop["franchise"].get_absolute_url(),
    ]
    for url in urls:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, url
        view = response.context["view"]
        live = facets.count_facets(view.searched_products, view.filters)
        shown = response.context["facets"]
        assert [(f.param, [(v.value, v.count) for v in f.values]) for f in shown] == [
            (f.param, [(v.value, v.count) for v in f.values])
            for f in live.facets
            if f.param in {s.param for s in shown}
        ], url
        assert response.context["paginator"].count == live.total


@pytest.mark.django_db
def test_a_move_queues_one_compaction_for_the_worker(shop, django_capture_on_commit_callbacks):
    for price in ("25.00", "5.00"):
        with django_capture_on_commit_callbacks(execute=True):
            record = shop["cheap"].stockrecords.get()
            record.price = price
            record.save()
    waiting = DBTaskResult.objects.filter(task_path=facet_counts.compact_task.module_path)
    assert waiting.count() == 1


@pytest.mark.django_db
def test_counts_follow_a_branch_moved_in_the_category_tree(shop):
    # Treebeard rewrites the branch's paths in SQL: "Hard enamel" and its pins leave "Enamel pins".
    Category.objects.move(shop["pins"], shop["stickers"], "first-child")
    assert_counts_are_fresh(shop)
    assert kept(facet_counts.category_listing(shop["parent_category"].pk)) == (Counter(), Counter())


@pytest.mark.django_db
def test_a_branch_moved_in_the_dashboard_shows_its_products_under_its_new_parent(
    shop, staff_client
):
    pins = shop["pins"]
    response = staff_client.post(
        reverse("dashboard:catalogue-category-update", kwargs={"pk": pins.pk}),
        {
            "name": pins.name,
            "slug": pins.slug,
            "is_public": "on",
            "treebeard_position": "first-child",
            "treebeard_ref_node": shop["stickers"].pk,
        },
    )
    assert response.status_code == 302
    stickers_page = staff_client.get(shop["stickers"].get_absolute_url())
    types = {f.param: f for f in stickers_page.context["facets"]}["type"]
    assert sorted((v.label, v.count) for v in types.values) == [("Enamel pin", 3), ("Sticker", 1)]
    assert_counts_are_fresh(shop)
