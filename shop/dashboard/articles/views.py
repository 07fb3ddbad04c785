"""The dashboard's Articles report (shop.dashboard.articles.report) as a page and as CSV."""

from __future__ import annotations

import csv
from datetime import timedelta

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from oscar.core.loading import get_model

from blog import product_keys
from catalogue.parsing import parse_text

from .report import article_rows, sort_column

Product = get_model("catalogue", "Product")

DEFAULT_DAYS = 30


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    product = forms.CharField(
        label=_("Product (UPC)"),
        required=False,
        max_length=128,
        help_text=_("Only this product's clicks, adds and sales: the articles that sold it."),
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - timedelta(days=DEFAULT_DAYS - 1)
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The range starts after it ends."))
        return data


# It only reads: no transaction (SQLite readers then never queue for the write lock).
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ArticleReportView(View):
    """GET only: the range, an optional product and the sort order are in the query string, so
    a report can be bookmarked and its CSV is the same rows (`?format=csv`)."""

    template_name = "oscar/dashboard/articles/report.html"

    def get(self, request):
        form = RangeForm(request.GET)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "rows": None}, status=400)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        key = parse_text(form.cleaned_data["product"], max_length=128)
        product = _named_product(key) if key else None
        if key and product is None:
            form.add_error("product", _("No product has this UPC."))
            return render(request, self.template_name, {"form": form, "rows": None}, status=400)
        sort = sort_column(request.GET.get("sort"))
        rows = article_rows(start=start, end=end, product=product, sort=sort)
        if request.GET.get("format") == "csv":
            return as_csv(rows, start=start, end=end, product=product)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "rows": rows,
                "start": start,
                "end": end,
                "product": product,
                "headers": _headers(request, sort),
                "csv_query": _query(request, format="csv"),
                "totals": _totals(rows),
            },
        )


def as_csv(rows, *, start, end, product) -> HttpResponse:
    name = f"articles-{start.isoformat()}-{end.isoformat()}"
    if product is not None:
        name += f"-{product.upc or product.pk}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "article",
            "slug",
            "views",
            "product clicks",
            "adds to basket",
            "orders",
            "items sold",
            f"revenue ({settings.OSCAR_DEFAULT_CURRENCY})",
            "conversion (orders per 100 views)",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.title,
                row.slug,
                row.views,
                row.clicks,
                row.adds,
                row.orders,
                row.items,
                f"{row.revenue:.2f}",
                "" if row.conversion is None else f"{row.conversion:.2f}",
            ]
        )
    return response


HEADERS = (
    ("title", _("Article")),
    ("views", _("Views")),
    ("clicks", _("Product clicks")),
    ("adds", _("Adds to basket")),
    ("orders", _("Orders")),
    ("items", _("Items sold")),
    ("revenue", _("Revenue")),
    ("conversion", _("Conversion (orders / views)")),
)


def _headers(request, sort: str) -> list[dict]:
    """Each column's heading, with the link that sorts by it (largest first, then the other way;
    titles A to Z first) and how the rows are sorted by it now, for aria-sort."""
    headers = []
    for column, label in HEADERS:
        first = column if column == "title" else f"-{column}"
        again = first.removeprefix("-") if first.startswith("-") else f"-{first}"
        state = ""
        if sort.removeprefix("-") == column:
            state = "descending" if sort.startswith("-") else "ascending"
        headers.append(
            {
                "label": label,
                "url": _query(request, sort=again if sort == first else first),
                "aria_sort": state,
            }
        )
    return headers


def _query(request, **changes) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    for name, value in changes.items():
        query[name] = value
    return "?" + query.urlencode()


def _named_product(key: str):
    """The product a UPC (or a product's slug) names, else None: one query."""
    found = list(Product.objects.filter(product_keys.named_by([key])))
    return product_keys.by_key([key], found).get(key)


def _totals(rows) -> dict:
    return {
        name: sum(getattr(row, name) for row in rows)
        for name in ("views", "clicks", "adds", "orders", "items", "revenue")
    }
