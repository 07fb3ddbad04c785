"""Product-tile loading shared by every page that shows products as tiles (listings, the home page,
article cards): what is listed, and what a tile needs, in a fixed number of queries."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from oscar.core.loading import get_model

from . import generations

Product = get_model("catalogue", "Product")
Option = get_model("catalogue", "Option")


def listed_products() -> QuerySet:
    """Public standalone and parent products. Filters and sorts read the product's listing
    columns (`listing_price`, `is_available`, `warning_level`; see catalogue.indexing)."""
    return Product.objects.browsable()


def for_tiles(products: QuerySet) -> QuerySet:
    """What every product tile shows, in a fixed number of queries for any page size.

    Call `load_tile_extras()` on the page's products for what only some tiles need.
    """
    return (
        products.select_related("product_class", "franchise")
        .annotate(
            # Oscar's Product.has_options reads these instead of querying per product.
            has_product_class_options=Exists(
                Option.objects.filter(productclass=OuterRef("product_class"))
            ),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("stockrecords", "images")
    )


def tiles_in_order(ids: list[int]) -> list:
    """The products with these ids, ready for tiles, in the order given (ids kept in a cache)."""
    found = for_tiles(listed_products().filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def load_tile_extras(products: list) -> None:
    """Warning badges, and variants for parents: the same queries whichever products are on the
    page, so a listing runs as many queries for the demo catalogue as for 100,000 products.
    The page being built then shows these products: their cache tags are read."""
    generations.read_products(products)
    prefetch_related_objects(products, "content_warnings")
    public_children = Product.objects.public().prefetch_related("stockrecords")
    prefetch_related_objects(
        products,
        # Oscar's strategy reads this attribute instead of querying each parent's children.
        Prefetch("children", queryset=public_children, to_attr="_prefetched_public_children"),
    )
