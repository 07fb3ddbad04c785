"""What the review tests share: a review written, an order placed for a product, the review URLs."""

from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_order

ProductReview = get_model("reviews", "ProductReview")
Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def write_review(product, *, user=None, score=4, title="Lovely", approved=True, body="Nice."):
    return ProductReview.objects.create(
        product=product,
        user=user,
        name="" if user else "Aiko",
        email="" if user else "aiko@example.com",
        score=score,
        title=title,
        body=body,
        status=ProductReview.APPROVED if approved else ProductReview.FOR_MODERATION,
    )


def buy(user, product):
    """An order by `user` with one line of `product` (or of a variant, for a parent's child)."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy()
    basket.add_product(product)
    return create_order(basket=basket, user=user)


def add_url(product) -> str:
    return reverse(
        "catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )


def list_url(product) -> str:
    return reverse(
        "catalogue:reviews-list", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )


def detail_url(review) -> str:
    return reverse(
        "catalogue:reviews-detail",
        kwargs={
            "product_slug": review.product.slug,
            "product_pk": review.product_id,
            "pk": review.pk,
        },
    )
