"""Everything the product page shows, loaded in a fixed number of queries whatever the catalogue holds.

Live on every request: the product row, its variants and related products (one query) and their
stock records (one query), so price and stock are never stale. What changes only when staff edit
the catalogue (images, attributes, breadcrumbs, characters, reviews, which products are related)
is read in bulk once and cached while the cache tags it shows stand (`PageParts`: the product's,
its parent's, its related products', its franchise's and the taxonomy; catalogue.generations).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import strip_tags
from oscar.core.loading import get_model

from . import generations
from .buying import StockState, stock_state
from .categories import category_urls
from .reviews.selectors import approved_reviews

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
Category = get_model("catalogue", "Category")
Option = get_model("catalogue", "Option")
ProductReview = get_model("reviews", "ProductReview")

RELATED_LIMIT = 4
REVIEWS_SHOWN = 3
# Edits to the product row start a new version of its parts; edits elsewhere (a renamed category,
# a new product in the franchise, a review, a picture) bump a tag the parts read
# (catalogue.generations). The timeout only lets unused entries go.
PARTS_TIMEOUT = 24 * 60 * 60
# Text attributes may describe what the picture shows; specs (size, plating) never do.
REVEALING_TYPES = {ProductAttribute.TEXT, ProductAttribute.RICHTEXT}


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


@dataclass(frozen=True)
class Attribute:
    name: str
    value: str
    reveals_content: bool = False


@dataclass(frozen=True)
class PageImage:
    """A product image as the page needs it; `original` is the file name, as on ProductImage."""

    original: str
    caption: str = ""


@dataclass(frozen=True)
class Review:
    title: str
    body: str
    score: int
    reviewer: str
    date_created: object
    url: str
    is_verified_purchase: bool = False


@dataclass
class PageParts:
    version: tuple
    images: list[PageImage]
    attributes: list[Attribute]
    variant_labels: dict[int, str]
    breadcrumbs: list[Crumb]
    characters: list[str]
    reviews: list[Review]
    related_ids: list[int]
    related_images: dict[int, PageImage]


@dataclass
class Card:
    """A variant or related product: the product, its live price and stock, its picture."""

    product: object
    info: object
    stock: StockState
    image: PageImage | None = None
    label: str = ""


@dataclass
class ProductPage:
    product: object
    info: object
    stock: StockState
    parts: PageParts
    can_review: bool
    variants: list[Card] = field(default_factory=list)
    related: list[Card] = field(default_factory=list)

    @property
    def primary_image(self) -> PageImage | None:
        return self.parts.images[0] if self.parts.images else None

    @property
    def description(self) -> str:
        product = self.product
        return product.description or (product.parent.description if product.parent else "")

    @property
    def franchise(self):
        return self.product.franchise or (self.product.parent and self.product.parent.franchise)

    @property
    def warned_product(self):
        """Whose content warnings the page shows: a variant's own, or else its parent's."""
        product = self.product
        return product if product.warning_level or not product.parent else product.parent


def products_for_page(user):
    """The queryset the detail view picks the product from: one row, with what the page reads."""
    options = Option.objects.filter(
        Q(productclass=OuterRef("product_class"))
        | Q(productclass=OuterRef("parent__product_class"))
    )
    products = Product.objects.select_related(
        "product_class", "franchise", "parent__product_class", "parent__franchise"
    ).annotate(
        approved_review_count=Coalesce(
            Subquery(
                ProductReview.objects.approved()
                .filter(product=OuterRef("pk"))
                .order_by()
                .values("product")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
        # Read by Product.has_options, so the basket form asks nothing more.
        has_product_class_options=Exists(options),
        has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
    )
    if user.is_authenticated:
        products = products.annotate(
            is_reviewed_by_user=Exists(
                ProductReview.objects.filter(product=OuterRef("pk"), user_id=user.pk)
            )
        )
    return products


def load_page(product, *, strategy, user) -> ProductPage:
    product.num_approved_reviews = product.approved_review_count  # Oscar's cached_property
    parts = page_parts(product)
    root_id = product.parent_id or product.pk
    family_and_related = list(
        Product.objects.public()
        .filter(
            Q(parent_id__in=[root_id, *parts.related_ids])
            | Q(pk__in=parts.related_ids, parent=None)
        )
        .select_related("product_class")
        .order_by("pk")
    )
    root = product.parent or product
    related_by_id = {p.pk: p for p in family_and_related if p.pk in parts.related_ids}
    parents = {root_id: root, **related_by_id}
    children: dict[int, list] = {pk: [] for pk in parents}
    for candidate in family_and_related:
        if candidate.parent_id in parents:
            candidate.parent = parents[candidate.parent_id]  # no query for get_product_class()
            children[candidate.parent_id].append(candidate)
    for pk, parent in parents.items():
        # Oscar's strategy prices a parent from get_public_children(), which reads this.
        parent._prefetched_public_children = children[pk]
    variants = children[root_id]

    priced = [product, *variants, *related_by_id.values()]
    generations.read_products([root, *priced])
    # The product's own stock words are cut out of a cached page (catalogue.stock_slots); its
    # variants' and related products' are rendered in it.
    generations.read(generations.stock_tags(*(p.pk for p in priced if p.pk != product.pk)))
    for siblings in children.values():
        priced.extend(c for c in siblings if c.parent_id != root_id)
    prefetch_related_objects(priced, "stockrecords")

    info = _purchase_info(product, strategy)
    page = ProductPage(
        product=product,
        info=info,
        stock=stock_state(info),
        parts=parts,
        can_review=(
            not product.is_reviewed_by_user
            if user.is_authenticated
            else settings.OSCAR_ALLOW_ANON_REVIEWS
        ),
    )
    for variant in variants:
        variant_info = strategy.fetch_for_product(variant)
        page.variants.append(
            Card(
                product=variant,
                info=variant_info,
                stock=stock_state(variant_info),
                label=parts.variant_labels.get(variant.pk) or variant.get_title(),
            )
        )
    for pk in parts.related_ids:
        if pk in related_by_id:
            related = related_by_id[pk]
            related_info = _purchase_info(related, strategy)
            page.related.append(
                Card(
                    product=related,
                    info=related_info,
                    stock=stock_state(related_info),
                    image=parts.related_images.get(pk),
                )
            )
    if product.warning_level or (product.parent and product.parent.warning_level):
        # The warning badges: only products that have warnings ask for them.
        prefetch_related_objects([page.warned_product], "content_warnings")
    return page


def _purchase_info(product, strategy):
    if product.is_parent:
        return strategy.fetch_for_parent(product)
    return strategy.fetch_for_product(product)


# --- Cached parts -------------------------------------------------------------------------


def _cache_key(product_id: int) -> str:
    return f"catalogue:product-page:{product_id}"


def _version(product) -> tuple:
    """Changes whenever the product, its parent, its warnings or what search reads of it changes."""
    rows = [product, product.parent] if product.parent else [product]
    return tuple(
        (
            (
                p.date_updated.isoformat(),
                p.warning_level,
                hashlib.md5(p.search_text.encode(), usedforsecurity=False).hexdigest()[:12],
            )
            for p in rows
        ),
    )


def _tags(product) -> set[str]:
    root = product.parent or product
    tags = generations.product_tags(product.pk, root.pk) | {generations.TAXONOMY}
    if root.franchise_id:  # related products are the franchise's newest
        tags.add(generations.franchise(root.franchise_id))
    return tags


def page_parts(product) -> PageParts:
    version = _version(product)
    key = _cache_key(product.pk)
    tags = _tags(product)
    now, found = generations.versions(tags, also=[key])
    stored = found.get(key)
    if stored is not None:
        stamp, parts = stored
        related = generations.product_tags(*parts.related_ids) - set(now)
        if parts.version == version and generations.is_current(
            stamp, {**now, **(generations.versions(related)[0] if related else {})}
        ):
            generations.read(stamp)
            return parts
    started = time.time_ns()
    parts = _read_parts(product, version)
    tags |= generations.product_tags(*parts.related_ids)  # their pictures
    stamp = generations.stamp_after(tags, started_ns=started)
    if stamp is not None:
        cache.set(key, (stamp, parts), PARTS_TIMEOUT)
    generations.read(tags)
    return parts


def _read_parts(product, version) -> PageParts:
    root = product.parent or product
    related_ids = _related_ids(root)
    images = list(
        ProductImage.objects.filter(product_id__in={product.pk, root.pk, *related_ids}).order_by(
            "product_id", "display_order", "pk"
        )
    )
    by_product: dict[int, list[PageImage]] = {}
    for image in images:
        by_product.setdefault(image.product_id, []).append(
            PageImage(original=image.original.name, caption=image.caption)
        )
    attributes, variant_labels = _attributes(product, root)
    reviews = _reviews(product) if product.num_approved_reviews else []
    return PageParts(
        version=version,
        # A variant without pictures of its own shows its parent's, as Oscar does.
        images=by_product.get(product.pk) or by_product.get(root.pk, []),
        attributes=attributes,
        variant_labels=variant_labels,
        breadcrumbs=_breadcrumbs(root),
        characters=list(root.characters.values_list("name", flat=True)),
        reviews=reviews,
        related_ids=related_ids,
        related_images={pk: by_product[pk][0] for pk in related_ids if pk in by_product},
    )


def _related_ids(root) -> list[int]:
    """Oscar's recommended products, by ranking; without any, the newest of the same franchise.

    One query. Where the database allows it (PostgreSQL), of two short parts, each read in its own
    order through an index: as one condition (recommended OR same franchise), PostgreSQL ranked all
    of a big franchise's products (14k at 100k products; 200 ms, most of it compiling the plan with
    JIT) to keep four. SQLite takes no LIMIT inside a UNION, and its catalogues are small.
    """
    recommendations = ProductRecommendation.objects.filter(primary_id=root.pk).order_by()
    listed = Product.objects.browsable().exclude(pk=root.pk)
    ranking = Subquery(
        recommendations.filter(recommendation_id=OuterRef("pk")).values("ranking")[:1]
    )
    order = (F("ranking").desc(nulls_last=True), "-date_created", "-pk")
    recommended = listed.filter(pk__in=recommendations.values("recommendation_id"))
    same_franchise = listed.filter(franchise_id=root.franchise_id).filter(~Exists(recommendations))
    if not connection.features.supports_slicing_ordering_in_compound:
        either = (recommended | same_franchise).annotate(ranking=ranking).order_by(*order)
        return list(either.values_list("pk", flat=True)[:RELATED_LIMIT])
    columns = ("pk", "ranking", "date_created")
    recommended = recommended.annotate(ranking=ranking).order_by(*order)
    same_franchise = same_franchise.annotate(
        ranking=Value(None, output_field=IntegerField())
    ).order_by("-date_created", "-pk")
    rows = list(
        recommended.values_list(*columns)[:RELATED_LIMIT].union(
            same_franchise.values_list(*columns)[:RELATED_LIMIT], all=True
        )
    )
    # At most one part has rows (a recommendation empties the other): in the order of `order`.
    rows.sort(key=lambda row: (row[2], row[0]), reverse=True)
    rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0)))
    return [pk for pk, _ranking, _created in rows]


def _attributes(product, root) -> tuple[list[Attribute], dict[int, str]]:
    """The product's attribute rows (a variant's own values over its parent's), and variant labels."""
    values = list(
        ProductAttributeValue.objects.filter(
            Q(product_id__in={product.pk, root.pk}) | Q(product__parent_id=root.pk)
        )
        .select_related("attribute", "value_option")
        .order_by("attribute_id", "pk")
    )
    multi = [v for v in values if v.attribute.type == ProductAttribute.MULTI_OPTION]
    if multi:
        prefetch_related_objects(multi, "value_multi_option")
    shown: dict[str, ProductAttributeValue] = {}
    labels: dict[int, list[str]] = {}
    for value in values:
        if value.product_id == root.pk and value.attribute.code not in shown:
            shown[value.attribute.code] = value
        if value.product_id != root.pk:
            if value.product_id == product.pk:
                shown[value.attribute.code] = value
            labels.setdefault(value.product_id, []).append(
                f"{value.attribute.name}: {strip_tags(str(value.value_as_text))}"
            )
    rows = [
        Attribute(
            name=value.attribute.name,
            value=strip_tags(str(value.value_as_text)),
            reveals_content=value.attribute.type in REVEALING_TYPES,
        )
        for value in sorted(shown.values(), key=lambda v: v.attribute_id)
    ]
    return rows, {pk: ", ".join(parts) for pk, parts in labels.items()}


def _breadcrumbs(root) -> list[Crumb]:
    """The deepest category the product is in, with its ancestors, in one query."""
    in_subtree = ProductCategory.objects.filter(
        product_id=root.pk, category__path__startswith=OuterRef("path")
    )
    categories = list(Category.objects.browsable().filter(Exists(in_subtree)).order_by("path"))
    if not categories:
        return []
    deepest = max(categories, key=lambda c: (c.depth, c.path))
    chain = [c for c in categories if deepest.path.startswith(c.path)]
    urls = category_urls(chain)
    return [Crumb(category.name, urls[category.pk]) for category in chain]


def _reviews(product) -> list[Review]:
    reviews = approved_reviews(product).order_by("-date_created", "-pk")[:REVIEWS_SHOWN]
    return [
        Review(
            title=review.title,
            body=review.body,  # plain text, escaped where it is shown
            score=review.score,
            reviewer=str(review.reviewer_name),
            date_created=review.date_created,
            url=reverse(
                "catalogue:reviews-detail",
                kwargs={"product_slug": product.slug, "product_pk": product.pk, "pk": review.pk},
            ),
            is_verified_purchase=review.is_verified_purchase,
        )
        for review in reviews
    ]
