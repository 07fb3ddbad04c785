"""The order models are Oscar's, plus `Shipment`: a parcel staff sent, with its carrier and
tracking number, and the article each line came from (`Line.post`). The fork also exists for safe
stock allocation (utils.py)."""

import re
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractLine


class Carrier(models.TextChoices):
    USPS = "usps", "USPS"
    UPS = "ups", "UPS"
    FEDEX = "fedex", "FedEx"
    DHL = "dhl", "DHL"
    ROYAL_MAIL = "royal-mail", "Royal Mail"
    JAPAN_POST = "japan-post", "Japan Post"
    OTHER = "other", _("Other")


# Where a customer follows a parcel; {number} is the tracking number. "Other" has no page.
TRACKING_URLS = {
    Carrier.USPS: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    Carrier.UPS: "https://www.ups.com/track?tracknum={number}",
    Carrier.FEDEX: "https://www.fedex.com/fedextrack/?trknbr={number}",
    Carrier.DHL: "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    Carrier.ROYAL_MAIL: "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    Carrier.JAPAN_POST: (
        "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}"
    ),
}

TRACKING_NUMBER = re.compile(r"[A-Z0-9]{6,40}")


def clean_tracking_number(value: str) -> str:
    """The tracking number as carriers print it, without spaces and in capitals; or
    ValidationError when it cannot be one (6 to 40 letters and digits)."""
    number = re.sub(r"\s+", "", value or "").upper()
    if not TRACKING_NUMBER.fullmatch(number):
        raise ValidationError(
            _("A tracking number is 6 to 40 letters and digits (spaces are ignored)."),
            code="tracking_number",
        )
    return number


def carrier_from_text(value: str) -> str | None:
    """The carrier a person typed (its code or its name, any case and spacing), or None."""
    wanted = re.sub(r"[\s_-]+", "", (value or "").lower())
    for carrier in Carrier:
        if wanted in (carrier.value.replace("-", ""), str(carrier.label).lower().replace(" ", "")):
            return carrier.value
    return None


class Shipment(models.Model):
    """One parcel: which lines and quantities went is Oscar's shipping event ("Dispatched") with
    its ShippingEventQuantity rows; this adds how to follow it."""

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="shipments")
    event = models.OneToOneField(
        "order.ShippingEvent", on_delete=models.CASCADE, related_name="shipment"
    )
    carrier = models.CharField(_("Carrier"), max_length=20, choices=Carrier)
    tracking_number = models.CharField(_("Tracking number"), max_length=40)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Identifies the form that made it: the same form posted twice makes one shipment.
    request_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.get_carrier_display()} {self.tracking_number}"

    def clean(self):
        if self.tracking_number:
            self.tracking_number = clean_tracking_number(self.tracking_number)

    @property
    def tracking_url(self) -> str:
        template = TRACKING_URLS.get(self.carrier)
        return template.format(number=quote(self.tracking_number)) if template else ""


class Line(AbstractLine):
    # The article the shopper came from (blog.attribution), from the basket line: what the
    # dashboard's Articles report adds up.
    post = models.ForeignKey(
        "blog.Post",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article"),
    )


from oscar.apps.order.models import *  # noqa: E402, F403 -- Oscar's documented fork pattern
