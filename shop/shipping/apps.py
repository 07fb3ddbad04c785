"""The shop's fork of Oscar's shipping app (label "shipping"): standard, express, free over a total."""

import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    name = "shop.shipping"
