"""The refund form of the order page (views.OrderDetailView); Oscar's other order forms are used as
they are (get_class falls back to oscar.apps.dashboard.orders.forms).
"""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


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
