"""The dashboard's order page, forked to refund card payments (fully or in part) through Stripe and
to cancel orders or some of their items (shop.order.cancellation).

Oscar's other order views are used as they are (get_class falls back to Oscar's module).
"""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.orders import views as oscar_views
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from shop.order.cancellation import CancellationRefused, cancel_order, summary
from shop.order.pipeline import CANCELLABLE, CANCELLED
from shop.payments.models import CARD_SOURCE_TYPE_CODE
from shop.payments.services import RefundFailed, refund

CancelOrderForm = get_class("dashboard.orders.forms", "CancelOrderForm")
RefundForm = get_class("dashboard.orders.forms", "RefundForm")
Source = get_model("payment", "Source")


class OrderDetailView(oscar_views.OrderDetailView):
    order_actions = (*oscar_views.OrderDetailView.order_actions, "refund_payment", "cancel_order")
    # The page's tabs (pane id, label), which Oscar's template writes out by hand.
    tabs = (
        ("lines", _("Order contents")),
        ("shipping", _("Shipping")),
        ("payment", _("Payment")),
        ("discounts", _("Discounts")),
        ("notes", _("Notes")),
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["order_tabs"] = self.tabs
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
        if self.request.user.is_staff and self.object.status in CANCELLABLE:
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
        if request.POST.get("new_status") == CANCELLED:
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
