"""{% order_shipments order as shipments %}: an order's parcels with what each held, in three
queries however many there are (the customer's order pages)."""

from django import template

from shop.order.models import Shipment

register = template.Library()


@register.simple_tag
def order_shipments(order):
    return list(
        Shipment.objects.filter(order=order)
        .select_related("event")
        .prefetch_related("event__line_quantities__line")
    )
