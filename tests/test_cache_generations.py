"""Cache tags (catalogue.generations): every table a cached thing reads is a source of a tag it
read, so a change to anything shown bumps a tag the entry checks; and a change bumps only the tags
of what it shows."""

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import ProductReviewFactory, create_product

from blog.models import Post
from catalogue import generations, product_page
from catalogue.generations import TAG_SOURCES
from shop.search.facets import Filters
from shop.search.views import CatalogueView, FacetedSearchView, FranchiseView
from shop.templatetags.shop_menu import category_menu
from shop.views import home_picks
from tests.blog.conftest import write_post
from tests.commits import commits
from tests.factories import ContentWarningFactory, FranchiseFactory, merch

Product = get_model("catalogue", "Product")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")
SearchForm = get_class("search.forms", "SearchForm")

pytestmark = pytest.mark.django_db

# Read by cached things but deliberately not sources, each for a reason.
NOT_SOURCES = {
    # Per visitor: the page cache keys on the session's content choice and the basket count.
    "django_session": "per visitor",
    "basket_basket": "per visitor",
    "basket_line": "per visitor",
    "auth_user": "per visitor",
    # Popularity (purchases, views) only breaks ties in the ranking and moves it slowly: making
    # it a source would end every generation on each order and each batch of view counts.
    "analytics_productrecord": "ranking only, kept for the cache timeout",
    # "Verified purchase" counts only orders placed before the review was written (a review is a
    # source): no later order can change it.
    "order_line": "fixed when the review is written",
    "order_order": "fixed when the review is written",
    # Facet cells are derived from the listing family's own sources (listing columns, categories,
    # characters) in the same transaction, so whatever changes a count has bumped its listings;
    # folding the signed rows on the task worker changes no count.
    "catalogue_facetcount": "derived from the listing family's sources",
    # Search rows are a narrow copy of a listed product's words and listing columns, written by a
    # trigger in the same statement as the product row (a listing source).
    "catalogue_searchrow": "derived from the product row in the same statement",
}


def tables_read(queries) -> set[str]:
    return {
        table
        for query in queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"], re.IGNORECASE)
    }


def source_tables(tags) -> set[str]:
    families = {generations.family_of(tag) for tag in tags}
    return {
        model._meta.db_table
        for family in TAG_SOURCES
        if family.name in families
        for model in family.source_models()
    }


def assert_sources_cover(what, tags, queries):
    missing = tables_read(queries) - source_tables(tags) - NOT_SOURCES.keys()
    assert not missing, (
        f"{what} reads {sorted(missing)} but no tag it read ({sorted(tags)}) has them as sources: "
        "read a tag whose family lists them (catalogue/generations.py)"
    )


@pytest.fixture
def rich_shop(demo_shop):
    """The demo shop, plus what it lacks and a product page may show: reviews, recommendations."""
    pin = Product.objects.get(upc="PIN-CHEEKY-PINK")
    other = Product.objects.browsable().exclude(pk=pin.pk).first()
    ProductRecommendation.objects.create(primary=pin, recommendation=other, ranking=1)
    ProductReviewFactory(product=pin, status=1, title="Lovely", body="Sturdy clasp.")
    return pin


@pytest.fixture
def variant(rich_shop):
    """A product with variants, whose page reads its parent's and siblings' parts."""
    parent = create_product(title="Chibi Keychain", structure="parent", product_class="Keychain")
    parent.franchise = rich_shop.franchise
    parent.save()
    for colour in ("Pink", "Blue"):
        child = create_product(parent=parent, title=colour, price=Decimal("8.00"), num_in_stock=3)
    return child


def test_every_source_is_connected_to_a_receiver():
    connected = generations.connected_labels()
    for family in TAG_SOURCES:
        assert family.source_models(), family.name
        assert set(family.sources) <= connected, family.name


@pytest.mark.page_cache
def test_whole_pages_read_only_their_tags_sources(rich_shop):
    post = Post.objects.published().exclude(content_warnings=None).first()
    tag = post.tags.first()
    category = Category.objects.filter(depth=2).first()
    urls = [
        reverse("home"),
        reverse("catalogue:index"),
        category.get_absolute_url(),
        rich_shop.franchise.get_absolute_url(),
        rich_shop.get_absolute_url(),
        reverse("search:search") + "?q=pin",
        reverse("blog:index"),
        post.get_absolute_url(),
        reverse("blog:tag", kwargs={"slug": tag.slug}),
        reverse("glossary:index"),
        reverse("glossary:detail", kwargs={"slug": "hard-enamel"}),
        reverse("glossary:detail", kwargs={"slug": "ntr"}),
    ]
    client = Client()
    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})
    for url in urls:
        cache.clear()  # cold: every part read from the database
        with (
            CaptureQueriesContext(connection) as captured,
            mock.patch.object(generations, "stamp_after", wraps=generations.stamp_after) as stamped,
        ):
            assert client.get(url).status_code == 200, url
        page_tags = stamped.call_args_list[-1].args[0]
        assert_sources_cover(url, page_tags, captured.captured_queries)


def test_product_page_parts_read_only_their_tags_sources(rich_shop, variant):
    for product in (rich_shop, variant, variant.parent):
        cache.clear()
        loaded = product_page.products_for_page(AnonymousUser())
        with CaptureQueriesContext(connection) as captured, generations.collecting() as tags:
            product_page.page_parts(loaded.get(pk=product.pk))
        assert captured.captured_queries
        assert_sources_cover(product, tags, captured.captured_queries)


@pytest.mark.parametrize(
    ("view_class", "query"),
    [
        (CatalogueView, {"type": "enamel-pin", "in_stock": "1"}),
        (FacetedSearchView, {"q": "pin", "sort_by": "price-asc", "hide_warnings": "1"}),
    ],
)
def test_listing_parts_read_only_their_tags_sources(rich_shop, view_class, query):
    """What a listing keeps: its facet counts and which products are on a page."""
    view = view_class()
    view.setup(RequestFactory().get("/", query))
    view.params = SearchForm(view.request.GET).cleaned_or_default()
    view.filters = Filters.from_query(view.request.GET)
    cache.clear()
    with CaptureQueriesContext(connection) as captured, generations.collecting() as tags:
        assert view.facet_result.total
        assert list(view.get_queryset().values_list("pk", flat=True)[:24])
    assert generations.ALL_LISTINGS in tags
    assert_sources_cover(view_class.__name__, tags, captured.captured_queries)


def test_home_page_picks_read_only_listing_sources(rich_shop):
    with CaptureQueriesContext(connection) as captured:
        picks = home_picks()
    assert picks["new_arrivals"] and picks["franchises"]
    tags = {generations.ALL_LISTINGS, generations.TAXONOMY}
    assert_sources_cover("home picks", tags, captured.captured_queries)


def test_category_menu_reads_only_its_sources(demo_shop):
    cache.clear()
    with CaptureQueriesContext(connection) as captured, generations.collecting() as tags:
        category_menu()
    assert tags == {generations.MENU}
    assert_sources_cover("the menu", tags, captured.captured_queries)


def bumped_by(change) -> set[str]:
    with mock.patch.object(generations, "bump", wraps=generations.bump) as bump:
        change()
    return {tag for call in bump.call_args_list for tag in call.args[0]}


def test_a_sale_that_changes_nothing_shown_bumps_nothing():
    pin = merch("Quiet Pin", price="9.00", stock=20)
    stock = StockRecord.objects.get(product=pin)

    def sell_one():
        stock.num_allocated = 1
        stock.save()

    assert bumped_by(sell_one) == set()


def test_a_price_change_bumps_the_product_and_its_listings_only():
    series = FranchiseFactory(name="Loud Series")
    pin = merch("Loud Pin", price="9.00", franchise=series)
    other = merch("Other Pin", price="9.00")
    stock = StockRecord.objects.get(product=pin)

    def reprice():
        stock.price = Decimal("11.00")
        stock.save()

    tags = bumped_by(reprice)
    assert tags == {
        generations.product(pin.pk),
        generations.ALL_LISTINGS,
        generations.franchise(series.pk),
    }
    assert generations.product(other.pk) not in tags


def test_low_stock_words_bump_only_the_products_stock_words():
    pin = merch("Nearly Gone Pin", stock=6)
    stock = StockRecord.objects.get(product=pin)

    def sell_one():  # "In stock" becomes "Only 5 left"
        stock.num_allocated = 1
        stock.save()

    assert bumped_by(sell_one) == {generations.stock(pin.pk)}


def test_a_warning_bumps_the_product_and_its_listings():
    pin = merch("Warned Pin")
    warning = ContentWarningFactory(slug="spoilers")
    tags = bumped_by(lambda: pin.content_warnings.add(warning))
    assert {generations.product(pin.pk), generations.ALL_LISTINGS} <= tags
    assert bumped_by(lambda: warning.products.clear()) >= {generations.product(pin.pk)}


def test_a_draft_post_bumps_the_blog_only():
    assert bumped_by(lambda: write_post("Scheduled", status=Post.Status.DRAFT)) == {
        generations.BLOG
    }


def test_a_franchise_listing_reads_its_own_tag(demo_shop):
    franchise = Product.objects.browsable().exclude(franchise=None).first().franchise
    view = FranchiseView()
    view.setup(RequestFactory().get("/"), slug=franchise.slug)
    view.franchise = franchise
    view.params = SearchForm(view.request.GET).cleaned_or_default()
    view.filters = Filters.from_query(view.request.GET)
    with generations.collecting() as tags:
        assert view.facet_result.total
    assert generations.franchise(franchise.pk) in tags and generations.ALL_LISTINGS not in tags


@commits
def test_bump_all_makes_every_entry_stale():
    before, _ = generations.versions(["product:1", generations.BLOG])
    generations.bump_all()
    after, _ = generations.versions(["product:1", generations.BLOG])
    assert not generations.is_current(before, after)


@commits
def test_a_change_bumps_its_tags_when_it_commits_and_not_before():
    pin = merch("Committed Pin", price="9.00")
    stock = StockRecord.objects.get(product=pin)
    tag = generations.product(pin.pk)
    before = generations.versions([tag])[0][tag]

    with transaction.atomic():
        stock.price = Decimal("11.00")
        stock.save()
        # Other requests still read the old price: pages built from it stay current meanwhile.
        during = generations.versions([tag])[0][tag]
    after = generations.versions([tag])[0][tag]

    assert during == before
    assert after != before


@commits
def test_a_change_rolled_back_bumps_nothing():
    pin = merch("Undone Pin", price="9.00")
    stock = StockRecord.objects.get(product=pin)
    tags = [generations.product(pin.pk), generations.ALL_LISTINGS]
    before, _ = generations.versions(tags)

    with pytest.raises(RuntimeError), transaction.atomic():
        stock.price = Decimal("11.00")
        stock.save()
        raise RuntimeError("the order failed")

    assert generations.versions(tags)[0] == before


def test_leaving_a_category_bumps_its_listing_and_its_ancestors():
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    enamel = create_from_breadcrumbs("Pins > Enamel")
    pin = merch("Moving Pin")
    link = get_model("catalogue", "ProductCategory").objects.create(product=pin, category=enamel)

    tags = bumped_by(link.delete)

    assert {generations.category(enamel.pk), generations.category(enamel.get_parent().pk)} <= tags
