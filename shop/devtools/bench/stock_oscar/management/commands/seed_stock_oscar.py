"""Seed stock Oscar with the demo shop's products (same UPCs, titles, prices, stock and pictures),
empty the baskets and sessions a previous run left, and print what a shopper needs as JSON: the
URLs of this shop's own URLconf and its one shipping method (Oscar's default: free shipping).

Run with stock Oscar's settings: `DJANGO_SETTINGS_MODULE=shop.devtools.bench.stock_oscar.settings`.
"""

import json

from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.apps.shipping.methods import Free
from oscar.core.loading import get_model

from shop.devtools.demo import artwork
from shop.devtools.demo.catalogue import ITEMS, PRODUCT_CLASSES, TYPE_CATEGORIES

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")


class Command(BaseCommand):
    help = "Seed stock Oscar with the demo's products; print the shopper's URLs as JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "--basket-upcs",
            default="",
            help="comma-separated UPCs of the products every shopper puts in the basket",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            seed()
            # Shoppers of an earlier run: their baskets and sessions would only slow the tables.
            Basket.objects.filter(owner=None).delete()
            Session.objects.all().delete()
        upcs = [u for u in options["basket_upcs"].split(",") if u] or [ITEMS[0].code]
        products = {p.upc: p for p in Product.objects.filter(upc__in=upcs)}
        missing = set(upcs) - set(products)
        if missing:
            raise CommandError(f"Stock Oscar has no product with UPC {', '.join(sorted(missing))}.")
        first = products[upcs[0]]
        urls = {
            "landing_url": first.get_absolute_url(),
            "add_urls": [reverse("basket:add", kwargs={"pk": products[u].pk}) for u in upcs],
            "basket_url": reverse("basket:summary"),
            "checkout_url": reverse("checkout:index"),
            "shipping_address_url": reverse("checkout:shipping-address"),
            "shipping_method_url": reverse("checkout:shipping-method"),
            "preview_url": reverse("checkout:preview"),
            "shipping_method": Free.code,
            "products": Product.objects.count(),
        }
        self.stdout.write(json.dumps(urls))


def seed() -> None:
    """The demo's products, once: a rerun finds them by UPC and adds nothing."""
    Country.objects.get_or_create(
        iso_3166_1_a2="US",
        defaults={
            "iso_3166_1_a3": "USA",
            "iso_3166_1_numeric": "840",
            "printable_name": "United States",
            "name": "United States of America",
            "is_shipping_country": True,
        },
    )
    partner, _ = Partner.objects.get_or_create(name="Pin Senpai")
    existing = set(Product.objects.values_list("upc", flat=True))
    for item in ITEMS:
        if item.code in existing:
            continue
        product_class, _ = ProductClass.objects.get_or_create(
            name=PRODUCT_CLASSES[item.kind],
            defaults={"requires_shipping": True, "track_stock": True},
        )
        product = Product.objects.create(
            upc=item.code,
            title=item.title,
            description=item.blurb,
            product_class=product_class,
            structure=Product.STANDALONE,
            is_public=True,
        )
        category = create_from_breadcrumbs(TYPE_CATEGORIES[item.kind])
        ProductCategory.objects.create(product=product, category=category)
        StockRecord.objects.create(
            product=product,
            partner=partner,
            partner_sku=item.code,
            price_currency="USD",
            price=item.price,
            num_in_stock=item.stock,
        )
        image = ProductImage(product=product, display_order=0)
        image.original.save(
            f"{item.code.lower()}.png", ContentFile(artwork.render_png(item.design))
        )
