"""The Articles report: for a date range, what each article brought — page views, clicks to
products, adds to basket, orders, items sold and revenue — in a fixed number of grouped queries
whatever the number of articles and orders.

Figures by day: views, clicks and adds are the article's daily counts (blog.attribution);
orders, items and revenue are the order lines that carry the article (`Line.post`) of orders
placed in the range (the shop's time zone). A cancelled line sold nothing. Revenue is what the
lines cost with discounts and tax, less refunds: a refund pays first for the order's cancelled
lines (at their price), and the rest of it is shared by the order's other lines and its shipping
in proportion to what each cost, so a refund of a whole order leaves nothing. Refunds count
against their order, whatever day they were made. Conversion is orders / views.

The "All articles" totals count an order once even when its lines came from several articles
(each of which counts it in its own row); a line has one article, so items and revenue add up.
With a product, the rows are the articles that sent readers to it or sold it, and their figures
are that product's lines only, not the rest of its orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf
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
    sales = {row["post_id"]: row for row in _sales(start, end, product_ids)}
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
            revenue=Decimal(sales.get(pk, {}).get("revenue") or 0).quantize(CENT, ROUND_HALF_UP),
        )
        for pk, title, slug in posts
    ]
    # Every sales row carries the same count of distinct orders (see _sales).
    every_order = next(iter(sales.values()), {}).get("every_order") or 0
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


def _sales(start: date, end: date, product_ids):
    """Orders, items and revenue per article: one grouped query over the order lines. Each row
    also carries `every_order`, the orders of all those lines counted once (an order whose
    lines came from two articles is in both rows' `orders`): a subquery that does not depend on
    the row, so the database works it out once."""
    lines = Line.objects.filter(
        post__isnull=False, order__date_placed__date__range=(start, end)
    ).exclude(status=CANCELLED)
    if product_ids is not None:
        lines = lines.filter(product_id__in=product_ids)
    refunded = Subquery(
        Refund.objects.filter(order_id=OuterRef("order_id"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )
    cancelled = Subquery(
        Line.objects.filter(order_id=OuterRef("order_id"), status=CANCELLED)
        .order_by()
        .values("order_id")
        .annotate(total=Sum("line_price_incl_tax"))
        .values("total"),
        output_field=MONEY,
    )
    # What the refunds left unpaid of the order's lines still standing and its shipping.
    owed_back = Greatest(Coalesce(refunded, ZERO) - Coalesce(cancelled, ZERO), ZERO)
    standing = NullIf(F("order__total_incl_tax") - Coalesce(cancelled, ZERO), ZERO)
    kept = ExpressionWrapper(
        F("line_price_incl_tax") - Quotient(F("line_price_incl_tax") * owed_back, standing),
        output_field=MONEY,
    )
    every_order = (
        lines.annotate(whole=Value(1))
        .values("whole")
        .annotate(n=Count("order_id", distinct=True))
        .values("n")
        .order_by()
    )
    return (
        lines.values("post_id")
        .annotate(
            orders=Count("order_id", distinct=True),
            items=Sum("quantity"),
            revenue=Sum(Coalesce(kept, F("line_price_incl_tax"), output_field=MONEY)),
            every_order=Subquery(every_order, output_field=IntegerField()),
        )
        .order_by()
    )


class Quotient(Func):
    """`dividend / divisor` as money. SQLite keeps a whole amount (10.00) as an integer and
    divides integers as integers (50 / 15 = 3): there the divisor is made a REAL first."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = MONEY

    def as_sqlite(self, compiler, connection, **extra_context):
        dividend, divisor = self.get_source_expressions()
        real = self.copy()
        real.set_source_expressions([dividend, Cast(divisor, FloatField())])
        return super(Quotient, real).as_sqlite(compiler, connection, **extra_context)


def _with_variants(product):
    """The product and its variants, as a subquery."""
    return Product.objects.filter(Q(pk=product.pk) | Q(parent_id=product.pk)).values("pk")
