"""The customer views the shop changes.

Stock alerts are cancelled from e-mailed links (by key) and from the account page (by pk). Oscar
follows their `?next=` unchecked, an open redirect (anyone gets a key by making an alert for their
own address); here `next` is followed only to a page of this site, else to the product page.

An order line has no page of its own (Oscar ships no template for one, so a GET was a 500): a GET
goes to the line's order, and a line not in the shopper's order is a 404.

The order history counts each order's items in its one query (Oscar's `num_items` reads an
order's lines, a query per order shown), and the order page loads its lines with their products,
pictures and options together (Oscar's ran five queries per line).
"""

from django.db.models import Prefetch, Sum, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect
from oscar.apps.customer import views as oscar_views
from oscar.apps.customer.alerts import views as oscar_alert_views
from oscar.core.loading import get_model

from catalogue.redirects import next_url

Order = get_model("order", "Order")
Line = get_model("order", "Line")
ProductReview = get_model("reviews", "ProductReview")


class ProductAlertCancelView(oscar_alert_views.ProductAlertCancelView):
    def get_redirect_url(self, *args, **kwargs):
        return next_url(self.request, default=self.alert.product, referrer=False)


class OrderLineView(oscar_views.OrderLineView):
    def get_object(self, queryset=None):
        order = get_object_or_404(Order, user=self.request.user, number=self.kwargs["order_number"])
        return get_object_or_404(order.lines, id=self.kwargs["line_id"])

    def get(self, request, *args, **kwargs):
        return redirect("customer:order", order_number=self.get_object().order.number)


class OrderHistoryView(oscar_views.OrderHistoryView):
    def get_queryset(self):
        # An aggregate drops the model's default ordering: the newest order stays first.
        orders = super().get_queryset().annotate(item_count=Sum("lines__quantity"))
        return orders.order_by("-date_placed", "-pk")


class OrderDetailView(oscar_views.OrderDetailView):
    def get_object(self, queryset=None):
        order = super().get_object(queryset)
        lines = Line.objects.select_related("product").prefetch_related(
            "attributes", "product__images"
        )
        prefetch_related_objects([order], Prefetch("lines", queryset=lines))
        return order

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # "Write a review" for the lines not reviewed yet: one query, not Oscar's one per line.
        ctx["reviewed_product_ids"] = set(
            ProductReview.objects.filter(
                user=self.request.user,
                product_id__in=[line.product_id for line in self.object.lines.all()],
            ).values_list("product_id", flat=True)
        )
        return ctx
