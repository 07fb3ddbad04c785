"""`{% order_timeline order as steps %}` for the shopper's order pages (shop.order.timeline)."""

from django import template

from shop.order.timeline import order_timeline as build_timeline

register = template.Library()


@register.simple_tag
def order_timeline(order):
    return build_timeline(order, order.status_changes.all())
