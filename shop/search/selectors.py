"""Product queries for the listing pages: what is browsable, how a text query narrows it, how it sorts."""

from django.db.models import Min, Q, QuerySet
from oscar.core.loading import get_class, get_model

Product = get_model("catalogue", "Product")
SearchForm = get_class("search.forms", "SearchForm")

SORT_ORDERS = {
    SearchForm.NEWEST: ("-date_created", "-id"),
    SearchForm.PRICE_LOW_TO_HIGH: ("min_price", "id"),
    SearchForm.PRICE_HIGH_TO_LOW: ("-min_price", "id"),
    SearchForm.TITLE_A_TO_Z: ("title", "id"),
}


def listed_products() -> QuerySet:
    """Public standalone and parent products, with what a product tile shows loaded in bulk."""
    return Product.objects.browsable().base_queryset().prefetch_related("children__stockrecords")


def matching(products: QuerySet, query: str) -> QuerySet:
    """Products whose title, UPC or description contain every word of the query."""
    for word in query.split()[:10]:
        products = products.filter(
            Q(title__icontains=word) | Q(upc__iexact=word) | Q(description__icontains=word)
        )
    return products


def sorted_by(products: QuerySet, sort_by: str) -> QuerySet:
    order = SORT_ORDERS.get(sort_by, SORT_ORDERS[SearchForm.NEWEST])
    if "min_price" in order[0]:
        products = products.annotate(
            min_price=Min("stockrecords__price", filter=Q(stockrecords__price__isnull=False))
        )
    return products.order_by(*order)
