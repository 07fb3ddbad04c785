"""The shop's fork of Oscar's offer app (label "offer"): range links that escape the range's name."""

import oscar.apps.offer.apps as apps


class OfferConfig(apps.OfferConfig):
    name = "shop.offer"
