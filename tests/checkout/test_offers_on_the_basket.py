"""Discounts are still right with offers loaded once per request: a site offer, a voucher, or both,
in the basket's totals and on the review page; and an offer's range holds exactly the products
Oscar's own range query holds (exclusions, categories and their subcategories, product types,
variants of an included product)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test.factories import ProductClassFactory, VoucherFactory, create_offer, create_product

from tests.factories import merch
from tests.shopping import add_to_basket, to_payment_step

Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Range = get_model("offer", "Range")

pytestmark = pytest.mark.django_db


def percent_off(name: str, products, percent: int, *, offer_type="Site"):
    product_range = Range.objects.create(name=f"{name} range")
    for product in products:
        product_range.add_product(product)
    return create_offer(
        name=name,
        offer_type=offer_type,
        product_range=product_range,
        condition=Condition.objects.create(range=product_range, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=product_range, type=Benefit.PERCENTAGE, value=percent),
    )


@pytest.fixture
def pins(db):
    return merch("Sailor Moon Pin", price="10.00"), merch("Naruto Pin", price="20.00")


@pytest.fixture
def site_offer(pins):
    return percent_off("Moon week", [pins[0]], 10)  # $1 off the $10 pin


@pytest.fixture
def voucher(pins):
    voucher = VoucherFactory(code="NARUTO")
    voucher.offers.add(percent_off("Naruto fans", [pins[1]], 20, offer_type="Voucher"))
    return voucher  # $4 off the $20 pin


def shop_with_discounts(client, pins, *, code=None):
    add_to_basket(client, pins[1])
    if code:
        client.post(reverse("basket:vouchers-add"), {"code": code})
    return to_payment_step(client, pins[0])


@pytest.mark.parametrize(
    ("discounts", "code", "total", "shown"),
    [
        (["site_offer"], None, "29.00", ["Moon week"]),
        (["voucher"], "NARUTO", "26.00", ["NARUTO"]),
        (["site_offer", "voucher"], "NARUTO", "25.00", ["Moon week", "NARUTO"]),
    ],
    ids=["offer", "voucher", "both"],
)
def test_the_basket_and_the_review_page_show_the_same_discounted_totals(
    client, pins, request, discounts, code, total, shown, stripe_sim
):
    for name in discounts:
        request.getfixturevalue(name)

    review = shop_with_discounts(client, pins, code=code)
    basket_page = client.get(reverse("basket:summary"))

    assert basket_page.context["basket"].total_incl_tax == Decimal(total)
    assert review.context["basket"].total_incl_tax == Decimal(total)
    shipping = Decimal("4.50")  # under the free-shipping threshold
    assert review.context["order_total"].incl_tax == Decimal(total) + shipping
    assert basket_page.context["order_total"].incl_tax == Decimal(total) + shipping
    for page in (basket_page, review):
        for words in shown:
            assert words in page.content.decode()


def test_a_product_left_out_of_the_offers_range_keeps_its_price(client, pins):
    everything_but = Range.objects.create(name="All but Naruto", includes_all_products=True)
    everything_but.excluded_products.add(pins[1])
    create_offer(
        name="Half off",
        product_range=everything_but,
        condition=Condition.objects.create(range=everything_but, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything_but, type=Benefit.PERCENTAGE, value=50),
    )
    add_to_basket(client, pins[0])
    add_to_basket(client, pins[1])

    basket = client.get(reverse("basket:summary")).context["basket"]

    prices = {
        line.product.title: line.line_price_incl_tax_incl_discounts for line in basket.all_lines()
    }
    assert prices == {"Sailor Moon Pin": Decimal("5.00"), "Naruto Pin": Decimal("20.00")}


# --- which products a range holds -----------------------------------------------------------


@pytest.fixture
def catalogue(db):
    pins_type = ProductClassFactory(name="Enamel pin")
    figures_type = ProductClassFactory(name="Figure")
    pins = create_from_breadcrumbs("Pins")
    shiny = create_from_breadcrumbs("Pins > Shiny")
    figures = create_from_breadcrumbs("Figures")
    made = {
        "pin": create_product(title="Pin", product_class=pins_type),
        "shiny pin": create_product(title="Shiny pin", product_class=pins_type),
        "figure": create_product(title="Figure", product_class=figures_type),
        "hoodie": create_product(title="Hoodie", structure=Product.PARENT),
    }
    made["hoodie S"] = create_product(
        title="Hoodie S",
        structure=Product.CHILD,
        parent=made["hoodie"],
        price=Decimal("30"),
        num_in_stock=5,
    )
    for name, category in (("pin", pins), ("shiny pin", shiny), ("figure", figures)):
        ProductCategory.objects.create(product=made[name], category=category)
    ProductCategory.objects.create(product=made["hoodie"], category=figures)
    return made, {"pins": pins, "shiny": shiny, "figures": figures}, pins_type


def ranges(made, categories, pins_type):
    everything_but = Range.objects.create(name="All but the figure", includes_all_products=True)
    everything_but.excluded_products.add(made["figure"])
    no_pins = Range.objects.create(name="No pins at all", includes_all_products=True)
    no_pins.excluded_categories.add(categories["pins"])
    no_figures = Range.objects.create(name="No figures", includes_all_products=True)
    no_figures.excluded_categories.add(categories["figures"])
    pins_category = Range.objects.create(name="The pins category")
    pins_category.included_categories.add(categories["pins"])
    pins_type_range = Range.objects.create(name="Pin type but the shiny one")
    pins_type_range.classes.add(pins_type)
    pins_type_range.excluded_products.add(made["shiny pin"])
    hoodie = Range.objects.create(name="The hoodie")
    hoodie.included_products.add(made["hoodie"])
    hoodie_but_small = Range.objects.create(name="The hoodie but small")
    hoodie_but_small.included_products.add(made["hoodie"])
    hoodie_but_small.excluded_products.add(made["hoodie S"])
    return Range.objects.all()


def test_a_ranges_products_are_those_oscar_finds(catalogue):
    made, categories, pins_type = catalogue
    for product_range in ranges(made, categories, pins_type):
        oscar = set(product_range.product_queryset.values_list("pk", flat=True))
        ours = set(
            Product.objects.filter(product_range.contains(product_ref="pk")).values_list(
                "pk", flat=True
            )
        )
        assert ours == oscar, product_range.name
