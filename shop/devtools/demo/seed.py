"""Seeding the demo shop from the story in catalogue.py, articles.py and glossary.py. Idempotent:
each step creates what is missing and leaves the rest alone. `add_synthetic_products` adds bulk
stock for the benchmark."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue import facet_counts
from catalogue.generations import bump_all
from catalogue.images import thumbnails_made_inline
from catalogue.indexing import listing_fields, refreshed_once
from catalogue.search_words import keep_frequent_words
from catalogue.staff_html import sanitise
from shop.accounts.demo import is_demo_account, mark_as_demo

from . import artwork
from .articles import ARTICLES
from .catalogue import (
    ATTRIBUTES,
    CAST,
    ENAMEL_CATEGORIES,
    ITEMS,
    PRODUCT_CLASSES,
    SALES,
    SERIES,
    TYPE_CATEGORIES,
    WARNINGS,
    WARNINGS_BY_CODE,
    Item,
    attribute_values,
    description,
)
from .glossary import TERMS

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Category = get_model("catalogue", "Category")
ProductAttribute = get_model("catalogue", "ProductAttribute")
AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
AttributeOption = get_model("catalogue", "AttributeOption")
Franchise = get_model("catalogue", "Franchise")
Character = get_model("catalogue", "Character")
ContentWarning = get_model("catalogue", "ContentWarning")
ProductRecord = get_model("analytics", "ProductRecord")
FacetCount = get_model("catalogue", "FacetCount")
FacetMembership = get_model("catalogue", "FacetMembership")
SearchRow = get_model("catalogue", "SearchRow")
SearchWordCount = get_model("catalogue", "SearchWordCount")
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Country = get_model("address", "Country")

PARTNER_NAME = "Pin Senpai Warehouse"
SYNTHETIC_UPC_PREFIX = "SYN-"
DEMO_STAFF = {
    "username": "staff",
    "email": "staff@pinsenpai.example",
    "password": "pinsenpai-staff",
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    def __str__(self) -> str:
        if not self.created:
            return "Nothing to add: the demo data is already in place."
        return "Created " + ", ".join(f"{n} {what}" for what, n in self.created.items()) + "."


@dataclass
class Vocabulary:
    """What the shop's products are described with: types and their attributes, franchises,
    content warnings."""

    classes: dict = field(default_factory=dict)  # by kind ("pin")
    attributes: dict = field(default_factory=dict)  # by kind, then attribute code
    franchises: dict = field(default_factory=dict)  # by Series
    warnings: dict = field(default_factory=dict)  # by slug


@thumbnails_made_inline()  # the demo opens with every picture on disk, worker or not
@transaction.atomic
def seed_demo(*, with_staff: bool) -> SeedReport:
    """The shop opens: its site and the countries it ships to, its warehouse, the words its merch
    is described with, each product on the shelves, its shipping methods, a staff login (with
    DEBUG), the blog's explainer articles that point readers at the products, and the glossary
    of the words they use."""
    report = SeedReport()
    _seed_site(report)
    _seed_countries(report)
    partner = _get_or_create(report, "partner", Partner, name=PARTNER_NAME)
    vocabulary = _seed_vocabulary(report)
    for item in ITEMS:
        with refreshed_once():  # listing columns and facet counts once each, not per save
            _seed_product(report, item, vocabulary, partner)
    _seed_shipping(report)
    if with_staff:
        _seed_staff(report)
    _seed_articles(report)
    _seed_glossary(report)
    return report


def _get_or_create(report: SeedReport, label: str, model, defaults=None, **lookup):
    obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
    if created:
        report.count(label)
    return obj


def _seed_site(report: SeedReport) -> None:
    site = Site.objects.get(pk=settings.SITE_ID)
    if site.domain == "example.com":  # Django's placeholder: replace it once, never overwrite edits
        site.domain, site.name = "127.0.0.1:8000", settings.OSCAR_SHOP_NAME
        site.save()
        report.count("site")


def _seed_countries(report: SeedReport) -> None:
    for code, iso3, numcode, name in [
        ("US", "USA", "840", "United States"),
        ("CA", "CAN", "124", "Canada"),
        ("GB", "GBR", "826", "United Kingdom"),
        ("JP", "JPN", "392", "Japan"),
        ("DE", "DEU", "276", "Germany"),
        ("FR", "FRA", "250", "France"),
        ("AU", "AUS", "036", "Australia"),
    ]:
        _get_or_create(
            report,
            "countries",
            Country,
            iso_3166_1_a2=code,
            defaults={
                "iso_3166_1_a3": iso3,
                "iso_3166_1_numeric": numcode,
                "printable_name": name,
                "name": name,
                "is_shipping_country": True,
                "display_order": 1 if code == "US" else 0,  # a USD shop: the US first
            },
        )


def _seed_vocabulary(report: SeedReport) -> Vocabulary:
    vocabulary = Vocabulary()
    for kind, name in PRODUCT_CLASSES.items():
        vocabulary.classes[kind] = _get_or_create(
            report,
            "product classes",
            ProductClass,
            name=name,
            defaults={"requires_shipping": True, "track_stock": True},
        )
    for kind, product_class in vocabulary.classes.items():
        vocabulary.attributes[kind] = _seed_attributes(report, product_class, kind)
    for series in SERIES:
        vocabulary.franchises[series] = _get_or_create(
            report,
            "franchises",
            Franchise,
            slug=slugify(series.name),
            defaults={"name": series.name, "description": series.about},
        )
    for w in WARNINGS:
        vocabulary.warnings[w.slug] = _get_or_create(
            report,
            "content warnings",
            ContentWarning,
            slug=w.slug,
            defaults={"name": w.name, "level": w.level, "explanation": w.explanation},
        )
    return vocabulary


def _seed_attributes(report: SeedReport, product_class, kind: str) -> dict:
    attributes = {}
    for code, name, type_, options, required in ATTRIBUTES[kind]:
        group = None
        if options:
            group = _get_or_create(report, "option groups", AttributeOptionGroup, name=name)
            for option in options:
                AttributeOption.objects.get_or_create(group=group, option=option)
        attributes[code] = _get_or_create(
            report,
            "attributes",
            ProductAttribute,
            product_class=product_class,
            code=code,
            defaults={"name": name, "type": type_, "option_group": group, "required": required},
        )
    return attributes


def _seed_product(report: SeedReport, item: Item, vocabulary: Vocabulary, partner) -> None:
    """One product as a shopper meets it: in its type's category, in stock at a price, with its
    artwork, described (franchise, cast, attributes, warnings) and, for some, already popular."""
    if Product.objects.filter(upc=item.code).exists():
        return
    product = Product.objects.create(
        upc=item.code,
        title=item.title,
        product_class=vocabulary.classes[item.kind],
        description=description(item),
        is_public=True,
    )
    type_path = TYPE_CATEGORIES[item.kind]
    if item.enamel:
        type_path += " > " + ENAMEL_CATEGORIES[item.enamel]
    ProductCategory.objects.create(product=product, category=create_from_breadcrumbs(type_path))
    StockRecord.objects.create(
        product=product,
        partner=partner,
        partner_sku=item.code,
        price=item.price,
        price_currency=settings.OSCAR_DEFAULT_CURRENCY,
        num_in_stock=item.stock,
    )
    image = ProductImage(product=product, caption=item.title, display_order=0)
    image.original.save(
        f"{slugify(item.code)}.png", ContentFile(artwork.render_png(item.design)), save=False
    )
    image.save()
    _describe(product, item, vocabulary.franchises[item.series], vocabulary.attributes[item.kind])
    product.content_warnings.set(
        [vocabulary.warnings[w.slug] for w in WARNINGS_BY_CODE.get(item.code, [])]
    )
    if item.code in SALES:
        ProductRecord.objects.update_or_create(
            product=product, defaults={"num_purchases": SALES[item.code]}
        )
    report.count("products")


def _describe(product, item: Item, franchise, attributes: dict) -> None:
    """Franchise, cast and attribute values: what facets, search and the product page show."""
    product.franchise = franchise
    product.characters.set(
        Character.objects.get_or_create(
            franchise=franchise, slug=slugify(name), defaults={"name": name}
        )[0]
        for name in CAST[item.code]
    )
    for code, value in attribute_values(item).items():
        attribute = attributes[code]
        if attribute.type == ProductAttribute.OPTION:
            value = attribute.option_group.options.get(option=value)
        setattr(product.attr, code, value)
    product.save()  # saves the attribute values, then refreshes what search reads


SHIPPING_METHODS = {
    "standard": {
        "name": "Standard shipping",
        "description": "Tracked, 3 to 5 working days. Free on orders over $50.",
        "price_per_order": Decimal("4.50"),
        "free_shipping_threshold": Decimal("50.00"),
    },
    "express": {
        "name": "Express shipping",
        "description": "Tracked, next working day.",
        "price_per_order": Decimal("12.00"),
    },
}


def _seed_shipping(report: SeedReport) -> None:
    for code, defaults in SHIPPING_METHODS.items():
        _get_or_create(
            report, "shipping methods", OrderAndItemCharges, code=code, defaults=defaults
        )


def _seed_staff(report: SeedReport) -> None:
    """The printed staff login, marked as a demo account: it signs in only while DEBUG is on
    (shop.accounts.demo), so a database promoted from a demo cannot be entered with it."""
    User = get_user_model()
    staff = User.objects.filter(username=DEMO_STAFF["username"]).first()
    if staff is None:
        staff = User.objects.create_superuser(**DEMO_STAFF)
        report.count("demo staff account")
    if not is_demo_account(staff) and staff.check_password(DEMO_STAFF["password"]):
        mark_as_demo(staff)  # also an account seeded before demo accounts were marked


# --- The blog ------------------------------------------------------------------------------


def _seed_articles(report: SeedReport) -> None:
    from blog.models import BlogCategory, FAQEntry, Post, Tag
    from blog.services import save_post

    author = get_user_model().objects.filter(username=DEMO_STAFF["username"]).first()
    warnings = {w.slug: w for w in ContentWarning.objects.all()}
    urls = {
        p.upc: p.get_absolute_url() for p in Product.objects.filter(upc__in=[i.code for i in ITEMS])
    }
    images = {
        i.product.upc: i.original.name
        for i in ProductImage.objects.filter(product__upc__in=urls).select_related("product")
    }
    now = timezone.now()
    for article in ARTICLES:
        if Post.objects.filter(slug=article.slug).exists():
            continue
        body = re.sub(r"\(product:([\w-]+)\)", lambda m: f"({urls[m.group(1)]})", article.body)
        post = Post(
            slug=article.slug,
            title=article.title,
            summary=article.summary,
            body=body,
            author=author,
            hero_image=images.get(article.hero, ""),  # the product's artwork, shared, not copied
            hero_alt=article.hero_alt,
            category=BlogCategory.objects.get_or_create(
                slug=slugify(article.category), defaults={"name": article.category}
            )[0],
        )
        if article.days_ago is not None:
            post.status = Post.Status.PUBLISHED
            post.published_at = now - timedelta(days=article.days_ago)
        save_post(post, by=author)
        post.tags.set(
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in article.tags
        )
        post.content_warnings.set(warnings[slug] for slug in article.warnings)
        FAQEntry.objects.bulk_create(
            FAQEntry(post=post, question=q, answer=a, position=n)
            for n, (q, a) in enumerate(article.faq)
        )
        report.count("articles")


def _seed_glossary(report: SeedReport) -> None:
    """Each term published, with its explainer, products and warnings; see-also links once every
    term exists. Terms already there are left as staff may have edited them."""
    from blog import glossary, glossary_links
    from blog.models import Post, Term

    author = get_user_model().objects.filter(username=DEMO_STAFF["username"]).first()
    explainers = {
        post.slug: post for post in Post.objects.filter(slug__in=[t.explainer for t in TERMS])
    }
    products = {
        p.upc: p for p in Product.objects.filter(upc__in=[u for t in TERMS for u in t.products])
    }
    warnings = {w.slug: w for w in ContentWarning.objects.all()}
    added = {}
    # Terms and their warnings queue no relinking: everything is linked at once, below.
    with glossary_links.relinks_held():
        for entry in TERMS:
            if Term.objects.filter(slug=slugify(entry.name)).exists():
                continue
            term = Term(
                name=entry.name,
                slug=slugify(entry.name),
                aliases="\n".join(entry.aliases),
                definition=entry.definition,
                explainer=explainers.get(entry.explainer),
                status=Term.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(days=30),
            )
            glossary.save_term(term, by=author, relink=False)
            term.related_products.set(products[upc] for upc in entry.products)
            term.content_warnings.set(warnings[slug] for slug in entry.warnings)
            added[entry.name] = (term, entry)
            report.count("glossary terms")
    by_name = {term.name: term for term in Term.objects.filter(name__in=[t.name for t in TERMS])}
    for term, entry in added.values():
        term.see_also.set(by_name[name] for name in entry.see_also)
    if added:
        # The articles, products and franchises were written before the terms: link them now,
        # rather than leave it to a worker the demo may not be running.
        glossary_links.relink_everything()


# --- Synthetic products for benchmarks ---------------------------------------------------------

KINDS = list(PRODUCT_CLASSES)
SYNTHETIC_WORDS = {
    "pin": ["Hard Enamel Pin", "Soft Enamel Pin", "Glitter Enamel Pin"],
    "sticker": ["Vinyl Sticker", "Holographic Sticker"],
    "keychain": ["Acrylic Keychain"],
    "stand": ["Acrylic Stand"],
    "print": ["Art Print (A4)", "Art Print (A3)"],
}
MOODS = ["Smiling", "Sleepy", "Victorious", "Rainy Day", "Festival", "Starry", "Chibi", "Winter"]


def add_synthetic_products(
    count: int, *, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Add `count` believable extra products in bulk inserts, for benchmarks. Returns how many."""
    partner = Partner.objects.get(name=PARTNER_NAME)
    classes = {kind: ProductClass.objects.get(name=name) for kind, name in PRODUCT_CLASSES.items()}
    type_categories = {
        kind: Category.objects.get(depth=1, name=name) for kind, name in TYPE_CATEGORIES.items()
    }
    franchises = {s: Franchise.objects.get(slug=slugify(s.name)) for s in SERIES}
    cast = {s: list(franchises[s].characters.all()) for s in SERIES}
    images_by_kind = _demo_image_names()
    start = Product.objects.filter(upc__startswith=SYNTHETIC_UPC_PREFIX).count()
    rng = random.Random(start)
    currency = settings.OSCAR_DEFAULT_CURRENCY
    done = 0
    for batch_start in range(start, start + count, batch_size):
        numbers = range(batch_start, min(batch_start + batch_size, start + count))
        specs = []
        for n in numbers:
            kind = KINDS[n % len(KINDS)]
            series = SERIES[n % len(SERIES)]
            title = (
                f"{series.name} {rng.choice(MOODS)} {rng.choice(SYNTHETIC_WORDS[kind])} No. {n + 1}"
            )
            price = Decimal(rng.randrange(300, 3000)) / 100
            stock = rng.choice([0, 1, 3, 8, 20, 50, 120])
            specs.append((n, kind, series, title, rng.choice(cast[series]), price, stock))
        products, records = [], []
        for n, kind, series, title, character, price, stock in specs:
            product = Product(
                upc=f"{SYNTHETIC_UPC_PREFIX}{n + 1:07d}",
                title=title,
                slug=slugify(title)[:128],
                product_class=classes[kind],
                structure=Product.STANDALONE,
                is_public=True,
                # Bulk inserts skip the policy's pre_save: clean the description here.
                description=sanitise(f"<p>A {kind} from {series.name}. {series.about}</p>"),
                franchise=franchises[series],
            )
            record = StockRecord(
                partner=partner,
                partner_sku=product.upc,
                price=price,
                price_currency=currency,
                num_in_stock=stock,
            )
            # Bulk inserts send no signals: the listing columns come from catalogue.indexing's
            # own rule, as for any other product.
            fields = listing_fields(
                product,
                characters=[character],
                attribute_text=[],
                warning_levels=[],
                offers=[record],
            )
            for name, value in fields.items():
                setattr(product, name, value)
            products.append(product)
            records.append(record)
        with transaction.atomic():
            products = Product.objects.bulk_create(products)
            Product.characters.through.objects.bulk_create(
                Product.characters.through(product=product, character=spec[4])
                for product, spec in zip(products, specs, strict=True)
            )
            for product, record in zip(products, records, strict=True):
                record.product = product
            StockRecord.objects.bulk_create(records)
            ProductCategory.objects.bulk_create(
                ProductCategory(product=product, category=type_categories[spec[1]])
                for product, spec in zip(products, specs, strict=True)
            )
            if images_by_kind:
                ProductImage.objects.bulk_create(
                    ProductImage(
                        product=product,
                        original=rng.choice(images_by_kind.get(kind) or images_by_kind["*"]),
                        caption=product.title,
                        display_order=0,
                    )
                    for product, (_, kind, *_) in zip(products, specs, strict=True)
                )
        done += len(products)
        if progress:
            progress(done, count)
    facet_counts.rebuild()  # bulk inserts send no signals: count the new products in
    keep_frequent_words()  # the trigger keeps them from here on (PostgreSQL)
    analyse(
        Product,
        FacetCount,
        FacetMembership,
        Product.characters.through,
        StockRecord,
        ProductCategory,
        ProductImage,
        SearchRow,  # written by a trigger as the products went in (PostgreSQL)
        SearchWordCount,
    )
    bump_all()  # bulk inserts send no signals: cached pages would miss the new products
    return done


def analyse(*models) -> None:
    """Refresh the query planner's statistics for these tables. After a bulk insert they describe
    the tables as they were (empty, say), and the same page measures 2-3 times slower or faster
    depending on whether autovacuum has run yet."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _demo_image_names() -> dict[str, list[str]]:
    """Synthetic products share the demo artwork files (same file, same thumbnails)."""
    by_kind: dict[str, list[str]] = {"*": []}
    rows = ProductImage.objects.filter(product__upc__in=[i.code for i in ITEMS]).values_list(
        "original", "product__upc"
    )
    kind_of = {i.code: i.kind for i in ITEMS}
    for name, upc in rows:
        by_kind.setdefault(kind_of[upc], []).append(name)
        by_kind["*"].append(name)
    return by_kind if by_kind["*"] else {}
