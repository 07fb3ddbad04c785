"""The refund and cancel forms of the order page (views.OrderDetailView); Oscar's other order forms
are used as they are (get_class falls back to oscar.apps.dashboard.orders.forms).
"""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.order.cancellation import item_label
from shop.order.pipeline import CANCELLED


class RefundForm(forms.Form):
    """How much of the card payment to give back, and why.

    The most that may be refunded is decided by `shop.payments.services.refund`; the form only
    shows it to the browser (the field's `max`).
    """

    amount = forms.DecimalField(
        label=_("Amount to refund"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=255,
        help_text=_("Optional; kept with the refund, e.g. “damaged in transit”."),
    )

    # Identifies this rendering of the form: submitting it twice refunds once.
    request_key = forms.CharField(
        widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex
    )

    def __init__(self, *args, refundable: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if refundable is not None:
            self.fields["amount"].widget.attrs["max"] = f"{refundable:.2f}"


class CancelOrderForm(forms.Form):
    """Which of the order's items to cancel, and why. Every item still open is ticked: sent as it
    is, that cancels the whole order (shop.order.cancellation decides what is allowed)."""

    lines = forms.TypedMultipleChoiceField(
        label=_("Items to cancel"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose the items of this order to cancel.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Optional; told to the customer, e.g. “out of stock at the supplier”."),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lines"]
        open_lines = [line for line in lines if line.status != CANCELLED]
        field.choices = [(line.pk, item_label(line)) for line in open_lines]
        field.initial = [line.pk for line in open_lines]
        # Any item of the order may be named: one cancelled meanwhile (a second click) is
        # reported as done, not as a bad choice.
        ours = {str(line.pk) for line in lines}
        field.valid_value = lambda value: str(value) in ours
