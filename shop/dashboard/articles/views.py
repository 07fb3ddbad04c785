"""The dashboard's Articles report (shop.dashboard.articles.report) as a page and as CSV."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views import View
from oscar.core.loading import get_model

from blog import product_keys
from catalogue.parsing import parse_text

from .report import article_report, sort_column

Product = get_model("catalogue", "Product")

DEFAULT_DAYS = 30


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        # A browser's date picker sends (and shows) the ISO date, whatever the staff's locale.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as year-month-day, for example 2026-01-31.")},
    )


class RangeForm(forms.Form):
    default_days = DEFAULT_DAYS
    start = _date_field(_("From"))
    end = _date_field(_("To"))
    product = forms.CharField(
        label=_("Product (UPC)"),
        required=False,
        max_length=128,
        help_text=_("Only this product's clicks, adds and sales: the articles that sold it."),
    )

    def clean(self):
        data = super().clean()
        if "start" not in data or "end" not in data:
            return data  # a date the field refused, with its own message
        end = data["end"] or timezone.localdate()
        # The last DEFAULT_DAYS days up to `end`, or as many as the calendar has before it.
        start = data["start"] or end - min(timedelta(days=DEFAULT_DAYS - 1), end - date.min)
        if start > end:
            message = (
                _("The range starts on %(start)s, after it ends on %(end)s.")
                if data["end"]
                else _(
                    "The range starts on %(start)s, after it ends on %(end)s "
                    "(today, as “To” is empty)."
                )
            )
            raise forms.ValidationError(
                message % {"start": date_format(start, "j M Y"), "end": date_format(end, "j M Y")}
            )
        data["start"], data["end"] = start, end
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
            return render(request, self.template_name, {"form": form}, status=400)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        key = parse_text(form.cleaned_data["product"], max_length=128)
        product = _named_product(key) if key else None
        if key and product is None:
            form.add_error("product", _("No product has this UPC."))
            return render(request, self.template_name, {"form": form}, status=400)
        sort = sort_column(request.GET.get("sort"))
        report = article_report(start=start, end=end, product=product, sort=sort)
        if request.GET.get("format") == "csv":
            return as_csv(report, start=start, end=end, product=product)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "start": start,
                "end": end,
                "product": product,
                "headers": _headers(request, sort),
                "csv_query": _query(request, format="csv"),
            },
        )


def as_csv(report, *, start, end, product) -> HttpResponse:
    """The page's rows, then its "All articles" row (each order once, as on the page)."""
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
    for title, slug, row in [
        *((row.title, row.slug, row) for row in report.rows),
        ("All articles", "", report.totals),
    ]:
        writer.writerow(
            [
                title,
                slug,
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
