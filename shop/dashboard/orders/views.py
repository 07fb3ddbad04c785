"""The dashboard's order pages, forked to refund card payments (fully or in part) through Stripe,
to cancel orders or some of their items (shop.order.cancellation), and to dispatch orders: one by
one on the order page, or many from a CSV file; with a packing slip for an order and a pick list
for many.

Oscar's other order views are used as they are (get_class falls back to Oscar's module).
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum, prefetch_related_objects
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView
from oscar.apps.dashboard.orders import views as oscar_views
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from shop.dashboard.orders import bulk_dispatch
from shop.order import pipeline
from shop.order.cancellation import CancellationRefused, cancel_order, summary
from shop.order.fulfilment import (
    DISPATCHABLE,
    DispatchRefused,
    dispatch,
    dispatched_event_type,
    lines_left,
)
from shop.order.models import Carrier
from shop.payments.models import CARD_SOURCE_TYPE_CODE
from shop.payments.services import RefundFailed, refund

CancelOrderForm = get_class("dashboard.orders.forms", "CancelOrderForm")
RefundForm = get_class("dashboard.orders.forms", "RefundForm")
DispatchForm = get_class("dashboard.orders.forms", "DispatchForm")
BulkDispatchForm = get_class("dashboard.orders.forms", "BulkDispatchForm")
Line = get_model("order", "Line")
Order = get_model("order", "Order")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")
Source = get_model("payment", "Source")


def may_dispatch(user) -> bool:
    """Partner users may see orders; only staff allowed to change orders send them."""
    return user.is_staff and user.has_perm("order.change_order")


class OrderDetailView(oscar_views.OrderDetailView):
    order_actions = (
        *oscar_views.OrderDetailView.order_actions,
        "refund_payment",
        "cancel_order",
        "dispatch_order",
    )
    # The page's tabs (pane id, label), which Oscar's template writes out by hand.
    tabs = (
        ("lines", _("Order contents")),
        ("shipping", _("Shipping")),
        ("payment", _("Payment")),
        ("discounts", _("Discounts")),
        ("notes", _("Notes")),
    )

    def get_order_lines(self):
        # The lines table shows each line's product, supplier and article: one query for all.
        return self.object.lines.select_related("product", "partner", "post")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["order_tabs"] = self.tabs
        # Oscar's template lists every shipping event with its lines, and every note with its
        # author (each dispatch adds both): a fixed number of queries for them all.
        prefetch_related_objects(
            [self.object],
            "shipping_events__event_type",
            "shipping_events__line_quantities__line",
            "notes__user",
        )
        ctx["shipments"] = self.object.shipments.select_related(
            "created_by", "event"
        ).prefetch_related("event__line_quantities__line")
        if self.object.status in DISPATCHABLE and may_dispatch(self.request.user):
            ctx["dispatch_form"] = kwargs.get("dispatch_form") or DispatchForm(
                lines_left=lines_left(self.object)
            )
        card_payment = self.get_card_payment()
        if card_payment is not None:
            refundable = card_payment.amount_available_for_refund
            ctx["card_payment"] = card_payment
            ctx["refundable"] = refundable
            ctx["refunds"] = self.object.refunds.select_related("created_by")
            # Partner users may see an order, but only staff give money back.
            ctx["can_refund"] = self.request.user.is_staff and refundable > 0
            ctx["refund_form"] = RefundForm(initial={"amount": refundable}, refundable=refundable)
        # Partner users may see an order, but only staff cancel it.
        if self.request.user.is_staff and self.object.status in pipeline.CANCELLABLE:
            ctx["cancel_form"] = CancelOrderForm(lines=ctx["lines"])
        return ctx

    def get_card_payment(self):
        """The order's Stripe payment source, or None when it was not paid by card."""
        return Source.objects.filter(
            order=self.object, source_type__code=CARD_SOURCE_TYPE_CODE
        ).first()

    # Order-level actions

    def refund_payment(self, request, order):
        if not request.user.is_staff:
            return self.reload_page("payment", error=_("Only staff can refund payments."))
        form = RefundForm(request.POST)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            return self.reload_page("payment", error=_("No refund made. %s") % problems)
        try:
            made = refund(
                order,
                form.cleaned_data["amount"],
                user=request.user,
                reason=form.cleaned_data["reason"],
                request_key=form.cleaned_data["request_key"],
            )
        except RefundFailed as error:
            return self.reload_page("payment", error=_("No refund made. %s") % error)
        messages.success(
            request,
            _("Refunded %(amount)s to the customer's card (Stripe refund %(refund_id)s).")
            % {"amount": currency(made.amount, made.currency), "refund_id": made.refund_id},
        )
        return self.reload_page("payment")

    def cancel_order(self, request, order):
        if not request.user.is_staff:
            return self.reload_page(error=_("Only staff can cancel orders."))
        form = CancelOrderForm(request.POST, lines=order.lines.all())
        if not form.is_valid():
            problems = "; ".join(" ".join(errors) for errors in form.errors.values())
            return self.reload_page(error=_("Nothing cancelled. %s") % problems)
        return self._cancel(
            request, order, line_ids=form.cleaned_data["lines"], reason=form.cleaned_data["reason"]
        )

    def change_order_status(self, request, order):
        # "Cancelled" chosen as a status is a real cancellation: stock and payment released.
        if request.POST.get("new_status") == pipeline.CANCELLED:
            if not request.user.is_staff:
                return self.reload_page(error=_("Only staff can cancel orders."))
            return self._cancel(request, order, line_ids=None, reason="")
        return super().change_order_status(request, order)

    def _cancel(self, request, order, *, line_ids, reason):
        try:
            done = cancel_order(order, user=request.user, line_ids=line_ids, reason=reason)
        except CancellationRefused as error:
            return self.reload_page(error=str(error))
        if done.repeated:
            messages.info(request, _("Already cancelled: nothing more was done."))
            return self.reload_page()
        messages.success(request, summary(done, reason))
        return self.reload_page()

    def dispatch_order(self, request, order):
        if not may_dispatch(request.user):
            return self.reload_page("shipping", error=_("Only staff can dispatch orders."))
        form = DispatchForm(request.POST, lines_left=lines_left(order))
        if not form.is_valid():
            problems = "; ".join(
                " ".join(errors)
                if name == "__all__"
                else f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            return self.reload_page("shipping", error=_("Nothing dispatched. %s") % problems)
        try:
            shipment = dispatch(
                order,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                quantities=form.quantities,
                by=request.user,
                request_key=form.cleaned_data["request_key"],
            )
        except DispatchRefused as error:
            return self.reload_page("shipping", error=_("Nothing dispatched. %s") % error)
        messages.success(
            request,
            _("Dispatched by %(carrier)s, tracking number %(number)s. The customer is e-mailed.")
            % {"carrier": shipment.get_carrier_display(), "number": shipment.tracking_number},
        )
        return self.reload_page("shipping")


class OrderListView(oscar_views.OrderListView):
    """Oscar's order list, with a pick list for the selected orders."""

    actions = (*oscar_views.OrderListView.actions, "print_pick_list")

    def print_pick_list(self, request, orders):
        return render(request, PickListView.template_name, pick_list_context(orders))


class PickListView(oscar_views.OrderListView):
    """The pick list for the orders the list's search finds (the same query string)."""

    template_name = "oscar/dashboard/orders/pick_list.html"

    def get_paginate_by(self, queryset):
        return None

    def render_to_response(self, context, **response_kwargs):
        return render(self.request, self.template_name, pick_list_context(context["object_list"]))


def pick_list_context(orders) -> dict:
    """What to take off the shelves for `orders`: per product and SKU, the units paid for and
    not yet dispatched, summed. Three queries, however many orders."""
    orders = list(orders)
    ids = [order.pk for order in orders if order.status in DISPATCHABLE]
    sent = dict(
        ShippingEventQuantity.objects.filter(
            event__order__in=ids, event__event_type=dispatched_event_type()
        )
        .values("line")
        .annotate(total=Sum("quantity"))
        .values_list("line", "total")
    )
    picks: dict[tuple, dict] = defaultdict(lambda: {"quantity": 0, "orders": set()})
    lines = Line.objects.filter(order__in=ids, status=pipeline.PAID).select_related("order")
    for line in lines.order_by("title"):
        left = line.quantity - sent.get(line.pk, 0)
        if left <= 0:
            continue
        pick = picks[(line.partner_sku, line.title)]
        pick["quantity"] += left
        pick["orders"].add(line.order.number)
    rows = [
        {"sku": sku, "title": title, "quantity": pick["quantity"], "orders": sorted(pick["orders"])}
        for (sku, title), pick in sorted(picks.items(), key=lambda item: (item[0][0], item[0][1]))
    ]
    return {
        "picks": rows,
        "orders": orders,
        "total_units": sum(row["quantity"] for row in rows),
        "skipped": [order for order in orders if order.status not in DISPATCHABLE],
    }


class PackingSlipView(DetailView):
    """A printable packing slip: where the parcel goes and what goes in it."""

    template_name = "oscar/dashboard/orders/packing_slip.html"
    context_object_name = "order"

    def get_object(self, queryset=None):
        return oscar_views.get_order_for_user_or_404(self.request.user, self.kwargs["number"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lines_left"] = lines_left(self.object)
        ctx["to_pack"] = sum(item.left for item in ctx["lines_left"])
        return ctx


class BulkDispatchView(FormView):
    """Upload a CSV of parcels; see row by row what was dispatched or refused and why."""

    template_name = "oscar/dashboard/orders/bulk_dispatch.html"
    form_class = BulkDispatchForm

    def dispatch(self, request, *args, **kwargs):
        if not may_dispatch(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["carriers"] = ", ".join(str(label) for label in Carrier.labels)
        return ctx

    def form_valid(self, form):
        try:
            rows = bulk_dispatch.read_rows(form.cleaned_data["csv_file"])
        except bulk_dispatch.BadFile as error:
            form.add_error("csv_file", str(error))
            return self.form_invalid(form)
        bulk_dispatch.check(rows)
        applied = not any(row.is_refused for row in rows) and bulk_dispatch.apply(
            rows, by=self.request.user
        )
        if applied:
            messages.success(
                self.request,
                _("All %s orders in the file were dispatched; their customers are e-mailed.")
                % len(rows),
            )
        else:
            messages.error(
                self.request,
                _(
                    "Nothing was dispatched: %(refused)s of %(total)s rows were refused. "
                    "Correct them and upload the whole file again."
                )
                % {"refused": sum(row.is_refused for row in rows), "total": len(rows)},
            )
        return self.render_to_response(
            self.get_context_data(form=BulkDispatchForm(), rows=rows, applied=applied)
        )
