"""Reads of approved reviews that pages show, each page in a fixed number of queries."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from oscar.core.loading import get_model

ProductReview = get_model("reviews", "ProductReview")
Line = get_model("order", "Line")


def approved_reviews(product):
    """The product's approved reviews, each knowing whether it is a verified purchase: its author
    had an order containing the product (or one of its variants, not cancelled) when they wrote it. Fixed at
    writing time, so a cached review never needs the order tables read again."""
    bought_before_reviewing = Line.objects.filter(
        Q(product_id=OuterRef("product_id")) | Q(product__parent_id=OuterRef("product_id")),
        order__user_id=OuterRef("user_id"),
        order__date_placed__lte=OuterRef("date_created"),
    ).exclude(status__in=settings.SHOP_LINE_STATUSES_NOT_BOUGHT)
    return (
        ProductReview.objects.approved()
        .filter(product_id=product.pk)
        .select_related("user")
        .annotate(is_verified_purchase=Exists(bought_before_reviewing))
    )
