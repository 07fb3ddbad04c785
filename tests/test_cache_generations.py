"""Cache generations (catalogue.generations): every table a cached thing reads is one of its
generation's sources, so a change to anything shown starts a new generation; and a change does."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import ProductReviewFactory, create_product

from blog.models import Post
from catalogue import generations, product_page
from catalogue.generations import (
    CATEGORY_MENU,
    GENERATIONS,
    LISTING_PARTS,
    PRODUCT_PAGE_PARTS,
    WHOLE_PAGES,
)
from shop.search.facets import Filters
from shop.search.views import CatalogueView, FacetedSearchView
from shop.templatetags.shop_menu import category_menu
from shop.views import home_picks
from tests.blog.conftest import write_post
from tests.factories import ContentWarningFactory, merch

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
}


def tables_read(queries) -> set[str]:
    return {
        table
        for query in queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"], re.IGNORECASE)
    }


def source_tables(generation) -> set[str]:
    return {model._meta.db_table for model in generation.source_models()}


def assert_sources_cover(generation, queries):
    missing = tables_read(queries) - source_tables(generation) - NOT_SOURCES.keys()
    assert not missing, (
        f"{generation.name} reads {sorted(missing)}: add their models to its sources "
        "in catalogue/generations.py"
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


def test_every_source_names_a_model():
    for generation in GENERATIONS:
        assert generation.source_models(), generation.name
        assert len(set(generation.sources)) == len(generation.sources), generation.name


def test_whole_pages_read_only_their_sources(rich_shop):
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
    ]
    client = Client()
    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})
    for url in urls:
        cache.clear()  # cold: every part read from the database
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        assert_sources_cover(WHOLE_PAGES, captured.captured_queries)


def test_product_page_parts_read_only_their_sources(rich_shop, variant):
    for product in (rich_shop, variant, variant.parent):
        cache.clear()
        loaded = product_page.products_for_page(AnonymousUser())
        with CaptureQueriesContext(connection) as captured:
            product_page.page_parts(loaded.get(pk=product.pk))
        assert captured.captured_queries
        assert_sources_cover(PRODUCT_PAGE_PARTS, captured.captured_queries)


@pytest.mark.parametrize(
    ("view_class", "query"),
    [
        (CatalogueView, {"type": "enamel-pin", "in_stock": "1"}),
        (FacetedSearchView, {"q": "pin", "sort_by": "price-asc", "hide_warnings": "1"}),
    ],
)
def test_listing_parts_read_only_their_sources(rich_shop, view_class, query):
    """What a listing keeps: its facet counts and which products are on a page."""
    view = view_class()
    view.setup(RequestFactory().get("/", query))
    view.params = SearchForm(view.request.GET).cleaned_or_default()
    view.filters = Filters.from_query(view.request.GET)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert view.facet_result.total
        assert list(view.get_queryset().values_list("pk", flat=True)[:24])
    assert_sources_cover(LISTING_PARTS, captured.captured_queries)


def test_home_page_picks_read_only_listing_sources(rich_shop):
    with CaptureQueriesContext(connection) as captured:
        picks = home_picks()
    assert picks["new_arrivals"] and picks["franchises"]
    assert_sources_cover(LISTING_PARTS, captured.captured_queries)


def test_category_menu_reads_only_its_sources(demo_shop):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        category_menu()
    assert_sources_cover(CATEGORY_MENU, captured.captured_queries)


def test_whole_pages_cover_every_other_generation():
    """A page shows product-page parts, listing parts and the menu: their sources are its own."""
    pages = set(WHOLE_PAGES.sources)
    for generation in (PRODUCT_PAGE_PARTS, LISTING_PARTS, CATEGORY_MENU):
        assert set(generation.sources) <= pages, generation.name


def test_a_change_to_a_source_starts_a_new_generation_of_what_it_shows():
    pin = merch("Loud Pin", price="9.00")
    warning = ContentWarningFactory(slug="spoilers")
    before = {generation.name: generation.current() for generation in GENERATIONS}

    stock = StockRecord.objects.get(product=pin)
    stock.price = "11.00"
    stock.save()

    after = {generation.name: generation.current() for generation in GENERATIONS}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"listing-parts", "whole-pages"}

    before = after
    pin.content_warnings.add(warning)  # an m2m change
    after = {generation.name: generation.current() for generation in GENERATIONS}
    assert {name for name in before if before[name] != after[name]} == {
        "product-page-parts",
        "listing-parts",
        "whole-pages",
    }

    before = after
    write_post("Scheduled", status=Post.Status.DRAFT)
    after = {generation.name: generation.current() for generation in GENERATIONS}
    assert {name for name in before if before[name] != after[name]} == {"whole-pages"}


def test_bump_all_ends_every_generation():
    before = [generation.current() for generation in GENERATIONS]
    generations.bump_all()
    after = [generation.current() for generation in GENERATIONS]
    assert all(b != a for b, a in zip(before, after, strict=True))
