"""`seed_demo` builds a believable shop once, changes nothing the second time, and bulk-adds products."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image

from catalogue.indexing import LISTING_FIELDS, refresh_listing_fields
from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN, ITEMS, PRODUCT_CLASSES
from shop.devtools.demo.seed import (
    DEMO_STAFF,
    SYNTHETIC_UPC_PREFIX,
    add_synthetic_products,
)

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")
Category = get_model("catalogue", "Category")
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Partner = get_model("partner", "Partner")
Franchise = get_model("catalogue", "Franchise")
ContentWarning = get_model("catalogue", "ContentWarning")

pytestmark = pytest.mark.django_db

MODELS = [Product, ProductImage, StockRecord, Category, OrderAndItemCharges, Partner]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_shop_has_every_merch_type_with_stock_prices_and_images(settings):
    settings.DEBUG = True
    seed()
    products = Product.objects.all()
    assert products.count() >= 40
    counts = {
        name: products.filter(product_class__name=name).count() for name in PRODUCT_CLASSES.values()
    }
    assert all(n >= 5 for n in counts.values()), counts
    hard_pins = Category.objects.get(name="Hard enamel pins").product_set.count()
    soft_pins = Category.objects.get(name="Soft enamel pins").product_set.count()
    assert hard_pins >= 5 and soft_pins >= 5
    assert Franchise.objects.count() >= 5
    assert StockRecord.objects.filter(price__gt=0).count() == products.count()
    assert ProductImage.objects.count() == products.count()
    assert set(OrderAndItemCharges.objects.values_list("code", flat=True)) == {
        "standard",
        "express",
    }


def test_the_cheeky_pink_pin_is_a_drawn_pink_pin_not_a_grey_box(settings):
    seed()
    pin = Product.objects.get(upc=CHEEKY_PINK_PIN)
    assert pin.title == "Cheeky Pink-Haired Anime Girl Enamel Pin"
    assert pin.product_class.name == "Enamel pin"
    with pin.primary_image().original.open("rb") as f:
        image = Image.open(f).convert("RGB")
    colours = image.resize((64, 64)).getcolors(64 * 64)
    pinkish = sum(n for n, (r, g, b) in colours if r > 200 and g < 170 and b > 130)
    assert pinkish > 64 * 64 * 0.10  # pink hair and pink enamel dominate
    assert len(colours) > 50  # a drawing, not a flat placeholder


def test_seeding_twice_changes_nothing(settings):
    settings.DEBUG = True
    first = seed()
    before = row_counts()
    second = seed()
    assert "Created" in first
    assert "already in place" in second
    assert row_counts() == before


def test_demo_staff_account_exists_only_with_debug(settings):
    settings.DEBUG = False
    seed()
    assert not get_user_model().objects.filter(username=DEMO_STAFF["username"]).exists()
    settings.DEBUG = True
    seed()
    staff = get_user_model().objects.get(username=DEMO_STAFF["username"])
    assert staff.is_staff and staff.check_password(DEMO_STAFF["password"])


def queries_to_add(count: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        add_synthetic_products(count)
    return len(queries)


def test_synthetic_products_are_inserted_in_bulk_not_row_by_row():
    seed()
    assert queries_to_add(1500) < 1500 // 10


def test_bulk_inserts_end_with_fresh_planner_statistics():
    """Measured pages differ 2-3 times before and after the tables have statistics."""
    seed()
    with CaptureQueriesContext(connection) as queries:
        add_synthetic_products(30)
    statements = [query["sql"] for query in queries]
    last_insert = max(i for i, sql in enumerate(statements) if sql.startswith("INSERT"))
    analysed = " ".join(statements[last_insert:])
    for model in (Product, StockRecord, ProductCategory, ProductImage):
        assert f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}" in analysed
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'catalogue_product'")
            rows = int(cursor.fetchone()[0].split()[0])
        assert rows == Product.objects.count()


def test_synthetic_products_are_added_with_stock_categories_and_progress():
    seed()
    demo_count = Product.objects.count()
    out = seed("--products", "2500")
    assert Product.objects.count() == demo_count + 2500
    synthetic = Product.objects.filter(upc__startswith=SYNTHETIC_UPC_PREFIX)
    assert StockRecord.objects.filter(product__in=synthetic).count() == 2500
    assert synthetic.filter(categories__isnull=True).count() == 0
    assert "2,500/2,500 (100%" in out
    # A second run adds more, with new UPCs, rather than failing on duplicates.
    seed("--products", "10")
    assert synthetic.count() == 2510


def test_synthetic_products_have_the_listing_columns_catalogue_indexing_gives_them(client):
    seed()
    add_synthetic_products(40)
    synthetic = Product.objects.filter(upc__startswith=SYNTHETIC_UPC_PREFIX).order_by("pk")
    as_inserted = list(synthetic.values_list("pk", *LISTING_FIELDS))

    refresh_listing_fields(pk for pk, *_ in as_inserted)  # what the signals would have stored

    assert list(synthetic.values_list("pk", *LISTING_FIELDS)) == as_inserted
    # So a synthetic product is searched like any other: by its UPC, for one.
    product = synthetic[7]
    response = client.get(reverse("search:search"), {"q": product.upc})
    assert [p.upc for p in response.context["products"]] == [product.upc]


def test_negative_product_count_is_refused_with_a_message():
    with pytest.raises(Exception, match="--products must be zero or more"):
        seed("--products", "-5")


def test_every_demo_product_has_franchise_characters_and_attributes(demo_shop):
    products = Product.objects.filter(upc__in=[item.code for item in ITEMS])
    assert products.filter(franchise=None).count() == 0
    assert products.filter(characters=None).count() == 0
    for product in products.prefetch_related("attribute_values"):
        required = product.product_class.attributes.filter(required=True).count()
        assert product.attribute_values.count() >= required > 0, product.title
    pin = products.get(upc=CHEEKY_PINK_PIN)
    assert pin.attr.size_mm == 35
    assert str(pin.attr.enamel) == "Hard enamel"
    assert "Momo" in pin.search_text and "Hard enamel" in pin.search_text


def test_some_demo_products_carry_mature_and_adult_warnings(demo_shop):
    levels = set(
        Product.objects.exclude(content_warnings=None).values_list("warning_level", flat=True)
    )
    assert {ContentWarning.Level.MATURE, ContentWarning.Level.ADULT} <= levels


def test_demo_blog_has_the_ntr_explainer_and_more_articles_one_scheduled_one_draft(demo_shop):
    from blog.models import Post

    ntr = Post.objects.get(slug="what-does-ntr-mean")
    assert ntr.is_public and ntr.title == "What does NTR mean?"
    assert list(ntr.content_warnings.values_list("slug", flat=True)) == ["ntr"]
    assert ntr.faq_entries.count() >= 3
    assert list(ntr.featured.filter(is_embedded=True).values_list("product__upc", flat=True)) == [
        CHEEKY_PINK_PIN
    ]
    for words in ["netorare", "ecchi", "content warning"]:
        assert words in ntr.body_html.lower()
    assert Post.objects.published().exclude(pk=ntr.pk).count() >= 4
    assert Post.objects.filter(status="published", published_at__gt=timezone.now()).count() == 1
    assert Post.objects.filter(status="draft").count() == 1
    for post in Post.objects.exclude(pk=ntr.pk):
        assert post.featured.exists(), post.slug  # every article points readers at products


def test_demo_glossary_has_twenty_published_terms_with_ntr_behind_its_warning(demo_shop):
    from blog.models import Term, TermAlias
    from shop.devtools.demo.glossary import TERMS

    assert len(TERMS) >= 20
    assert Term.objects.published().count() == len(TERMS)
    ntr = Term.objects.get(slug="ntr")
    assert ntr.names == ("NTR", "netorare", "寝取られ")
    assert set(TermAlias.objects.filter(term=ntr).values_list("name", flat=True)) == {
        "NTR",
        "netorare",
        "寝取られ",
    }
    assert list(ntr.content_warnings.values_list("slug", flat=True)) == ["ntr"]
    assert ntr.explainer.slug == "what-does-ntr-mean"
    for name in ["Ecchi", "Ita bag", "Hard enamel", "Soft enamel", "Rubber clutch", "Oshi"]:
        term = Term.objects.get(name=name)
        assert term.definition_html.startswith("<p>") and term.short_definition, name
    assert Term.objects.get(name="Hard enamel").related_products.filter(upc="PIN-SAKURA-SEASON")
    assert Term.objects.get(name="Soft enamel").see_also.filter(name="Hard enamel")
