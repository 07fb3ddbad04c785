"""The Articles report: for a date range, what each article brought — page views, clicks to
products, adds to basket, orders, items sold and revenue — in a fixed number of queries
whatever the number of articles and orders.

Figures by day: views, clicks and adds are the article's daily counts (blog.attribution);
orders, items and revenue are the order lines that carry the article (`Line.post`) of orders
placed in the range (the shop's time zone). A cancelled line sold nothing. Revenue is what the
lines cost with discounts and tax, less refunds: a refund pays first for the order's cancelled
lines (at their price), and the rest of it is shared by the order's other lines and its shipping
in proportion to what each cost, so a refund of a whole order leaves nothing. Each order is
shared out in whole cents that add up to exactly what it kept (largest remainder: every part its
exact share rounded down to the cent, the cents left over one each to the parts with the largest
remainders, ties to the earlier line, shipping last); the articles' rows are sums of those cents,
so they and the "All articles" row reconcile with the orders to the cent. Refunds count against
their order, whatever day they were made. Conversion is orders / views.

The "All articles" totals count an order once even when its lines came from several articles
(each of which counts it in its own row); a line has one article, so items and revenue add up.
With a product, the rows are the articles that sent readers to it or sold it, and their figures
are that product's lines only, not the rest of its orders.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import groupby
from operator import attrgetter

from django.db.models import (
    BooleanField,
    DecimalField,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

from blog.models import ArticleDay, ArticleProductDay, Post
from shop.order.pipeline import CANCELLED
from shop.payments.models import Refund

Line = get_model("order", "Line")
Product = get_model("catalogue", "Product")

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=14, decimal_places=4)
ZERO = Value(Decimal("0"), output_field=MONEY)

# The columns a report may be sorted by (`?sort=revenue`, `?sort=-views`): its rows' fields.
COLUMNS = ("title", "views", "clicks", "adds", "orders", "items", "revenue", "conversion")
DEFAULT_SORT = "-revenue"


@dataclass(frozen=True)
class ArticleRow:
    post_id: int
    title: str
    slug: str
    views: int = 0
    clicks: int = 0
    adds: int = 0
    orders: int = 0
    items: int = 0
    revenue: Decimal = Decimal("0.00")

    @property
    def conversion(self) -> Decimal | None:
        """Orders per view, as a percentage to two places; None without views."""
        if not self.views:
            return None
        return (Decimal(self.orders) * 100 / self.views).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Report:
    rows: list[ArticleRow]
    # "All articles": each order counted once.
    totals: ArticleRow

    @property
    def has_figures(self) -> bool:
        """Whether anything happened in the range: a view, a click, an add or an order."""
        totals = self.totals
        return any((totals.views, totals.clicks, totals.adds, totals.orders))


def article_report(*, start: date, end: date, product=None, sort: str = DEFAULT_SORT) -> Report:
    """From `start` to `end` inclusive: every live article and any other with figures in the
    range; with `product`, the articles with clicks, adds or sales of that product (or its
    variants), and those figures only."""
    product_ids = _with_variants(product) if product is not None else None
    views = dict(
        ArticleDay.objects.filter(day__range=(start, end))
        .values("post_id")
        .annotate(n=Sum("views"))
        .values_list("post_id", "n")
    )
    days = ArticleProductDay.objects.filter(day__range=(start, end))
    if product_ids is not None:
        days = days.filter(product_id__in=product_ids)
    traffic = {
        row["post_id"]: row
        for row in days.values("post_id").annotate(clicks=Sum("clicks"), adds=Sum("adds"))
    }
    sales, every_order = _sales(start, end, product_ids)
    if product_ids is None:
        shown = Q(pk__in={*views, *traffic, *sales}) | Q(pk__in=Post.objects.published())
    else:
        shown = Q(pk__in={*traffic, *sales})
    posts = Post.objects.filter(shown).values_list("pk", "title", "slug")
    rows = [
        ArticleRow(
            post_id=pk,
            title=title,
            slug=slug,
            views=views.get(pk) or 0,
            clicks=traffic.get(pk, {}).get("clicks") or 0,
            adds=traffic.get(pk, {}).get("adds") or 0,
            orders=sales.get(pk, {}).get("orders") or 0,
            items=sales.get(pk, {}).get("items") or 0,
            revenue=sales.get(pk, {}).get("revenue") or Decimal("0.00"),
        )
        for pk, title, slug in posts
    ]
    return Report(rows=sorted_rows(rows, sort), totals=_totals(rows, orders=every_order))


def _totals(rows: list[ArticleRow], *, orders: int) -> ArticleRow:
    """The rows added up, but for `orders`: the distinct orders, which they would count twice."""

    def total(name):
        return sum(getattr(row, name) for row in rows)

    return ArticleRow(
        post_id=0,
        title="",
        slug="",
        views=total("views"),
        clicks=total("clicks"),
        adds=total("adds"),
        orders=orders,
        items=total("items"),
        revenue=sum((row.revenue for row in rows), Decimal("0.00")),
    )


def sorted_rows(rows: list[ArticleRow], sort: str) -> list[ArticleRow]:
    """By one of COLUMNS, `-` first for largest first (ties by title); anything else: DEFAULT_SORT."""
    column = sort.removeprefix("-")
    if column not in COLUMNS:
        return sorted_rows(rows, DEFAULT_SORT)
    descending = sort.startswith("-")
    by_title = sorted(rows, key=lambda row: row.title.lower())
    if column == "title":
        return list(reversed(by_title)) if descending else by_title

    def value(row):
        found = getattr(row, column)
        return Decimal(-1) if found is None else found

    return sorted(by_title, key=value, reverse=descending)


def sort_column(sort: str | None) -> str:
    """The `sort` value as given when it names a column, else DEFAULT_SORT."""
    return sort if sort and sort.removeprefix("-") in COLUMNS else DEFAULT_SORT


def _sales(start: date, end: date, product_ids) -> tuple[dict[int, dict], int]:
    """Orders, items and revenue per article, and the orders of all those lines counted once (an
    order whose lines came from two articles is in both rows' `orders`).

    One query reads every line of the orders that have a line to count, with its order's total
    and refunds; the refunds are shared cent by cent here (kept_by_line), then the lines grouped
    by article. The rounded parts of an order must add up to what it kept, which shares rounded
    on their own do not; the largest-remainder rule that makes them needs an order's parts side by
    side, a few lines of Python here and window functions under a grouping in SQL. One row per
    line of those orders is fine for a shop this size, and it is one query whatever their
    number."""
    counted = Line.objects.filter(
        post__isnull=False, order__date_placed__date__range=(start, end)
    ).exclude(status=CANCELLED)
    if product_ids is not None:
        counted = counted.filter(product_id__in=product_ids)
    refunded = Subquery(
        Refund.objects.filter(order_id=OuterRef("order_id"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )
    of_product = (
        Value(True)
        if product_ids is None
        else ExpressionWrapper(Q(product_id__in=product_ids), output_field=BooleanField())
    )
    lines = (
        Line.objects.filter(order_id__in=counted.values("order_id"))
        .annotate(refunded=Coalesce(refunded, ZERO), of_product=of_product)
        .order_by("order_id", "pk")
        .values_list(
            "order_id",
            "order__total_incl_tax",
            "refunded",
            "post_id",
            "of_product",
            "status",
            "quantity",
            "line_price_incl_tax",
            named=True,
        )
    )
    orders, items, revenue = defaultdict(set), Counter(), defaultdict(Decimal)
    for order_id, order_lines in groupby(lines, key=attrgetter("order_id")):
        order_lines = list(order_lines)
        kept = kept_by_line(
            total=order_lines[0].order__total_incl_tax,
            refunded=order_lines[0].refunded,
            lines=[(line.line_price_incl_tax, line.status == CANCELLED) for line in order_lines],
        )
        for line, line_kept in zip(order_lines, kept, strict=True):
            if line.post_id is None or line.status == CANCELLED or not line.of_product:
                continue
            orders[line.post_id].add(order_id)
            items[line.post_id] += line.quantity
            revenue[line.post_id] += line_kept
    sales = {
        post_id: {"orders": len(ids), "items": items[post_id], "revenue": revenue[post_id]}
        for post_id, ids in orders.items()
    }
    return sales, len(set().union(*orders.values()))


def kept_by_line(
    *, total: Decimal, refunded: Decimal, lines: list[tuple[Decimal, bool]]
) -> list[Decimal]:
    """What each of an order's lines (price, whether cancelled) kept of its price, to the cent,
    when `refunded` of the order's `total` went back: a cancelled line keeps nothing, as the
    refund pays for it first; the rest of the refund comes off the standing lines and the
    shipping (and any other charge) in proportion to what each cost. The standing lines and the
    shipping then add up to exactly what the order kept (shared_to_the_cent)."""
    cancelled = sum((price for price, is_cancelled in lines if is_cancelled), Decimal("0"))
    standing = [price for price, is_cancelled in lines if not is_cancelled]
    paid = total - cancelled
    if not paid:
        return [Decimal("0.00") if is_cancelled else price for price, is_cancelled in lines]
    kept = paid - max(refunded - cancelled, Decimal("0"))
    # The order's shipping and charges: what it cost beyond its standing lines.
    shares = iter(shared_to_the_cent(kept, [*standing, paid - sum(standing, Decimal("0"))]))
    return [Decimal("0.00") if is_cancelled else next(shares) for _, is_cancelled in lines]


def shared_to_the_cent(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`amount` shared in proportion to `weights` (which do not add up to zero), in whole cents
    that add up to `amount` exactly (largest remainder): each part is its exact share rounded
    down to the cent, then the cents left over go one each to the parts with the largest
    remainders, ties to the earlier part."""
    whole = sum(weights, Decimal("0"))
    cents = _cents(amount)
    exact = [Fraction(cents) * Fraction(weight) / Fraction(whole) for weight in weights]
    parts = [math.floor(share) for share in exact]
    left_over = cents - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda k: (parts[k] - exact[k], k))
    for k in by_remainder[:left_over]:
        parts[k] += 1
    return [Decimal(part) * CENT for part in parts]


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT, ROUND_HALF_UP) * 100)


def _with_variants(product):
    """The product and its variants, as a subquery."""
    return Product.objects.filter(Q(pk=product.pk) | Q(parent_id=product.pk)).values("pk")
