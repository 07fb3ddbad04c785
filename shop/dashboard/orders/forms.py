"""The refund, cancel and dispatch forms of the order page (views.OrderDetailView) and the bulk
dispatch upload; Oscar's other order forms are used as they are (get_class falls back to
oscar.apps.dashboard.orders.forms).
"""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.order.cancellation import item_label
from shop.order.models import Carrier, clean_tracking_number
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
        # Ids of its own: the refund and dispatch forms share the page (and a "reason" field).
        super().__init__(*args, auto_id="id_cancel_%s", **kwargs)
        field = self.fields["lines"]
        open_lines = [line for line in lines if line.status != CANCELLED]
        field.choices = [(line.pk, item_label(line)) for line in open_lines]
        field.initial = [line.pk for line in open_lines]
        # Any item of the order may be named: one cancelled meanwhile (a second click) is
        # reported as done, not as a bad choice.
        ours = {str(line.pk) for line in lines}
        field.valid_value = lambda value: str(value) in ours


class DispatchForm(forms.Form):
    """A parcel for the order page: carrier, tracking number, and how many units of each line go
    (each field starts at what is left, so sending everything is one click; 0 keeps a line back).
    The bounds shown here are checked again under the order's lock by shop.order.fulfilment."""

    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)
    request_key = forms.CharField(
        widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex
    )

    def __init__(self, *args, lines_left=(), **kwargs):
        super().__init__(*args, auto_id="id_dispatch_%s", **kwargs)
        self.lines_left = [item for item in lines_left if item.left]
        for item in self.lines_left:
            self.fields[self.quantity_field(item.line)] = forms.IntegerField(
                label=item.line.title,
                min_value=0,
                max_value=item.left,
                initial=item.left,
            )

    @staticmethod
    def quantity_field(line) -> str:
        return f"quantity_{line.pk}"

    def quantity_fields(self):
        """(line left, bound field) for the template's table."""
        return [(item, self[self.quantity_field(item.line)]) for item in self.lines_left]

    def clean_tracking_number(self):
        return clean_tracking_number(self.cleaned_data["tracking_number"])

    def clean(self):
        cleaned = super().clean()
        if self.lines_left and not any(cleaned.get(name) for name in self.quantities_names()):
            raise forms.ValidationError(_("Choose at least one unit to dispatch."))
        return cleaned

    def quantities_names(self):
        return [self.quantity_field(item.line) for item in self.lines_left]

    @property
    def quantities(self) -> dict[int, int]:
        return {
            item.line.pk: self.cleaned_data[self.quantity_field(item.line)]
            for item in self.lines_left
        }


class BulkDispatchForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row a parcel: order number, carrier, tracking number. A header row is optional."
        ),
    )
