"""Template access to the content-warning rule and the shopper's choice (catalogue.consent)."""

from django import template

from catalogue import consent as rule

register = template.Library()


@register.simple_tag(takes_context=True)
def content_consent(context):
    """`{% content_consent as consent %}` then `consent|withholds:product`."""
    return rule.consent_for(context.get("request"))


@register.filter
def withholds(consent, product) -> bool:
    return consent.withholds(product)


@register.filter
def blocks_purchase(consent, product) -> bool:
    return consent.blocks_purchase(product)


@register.filter
def is_gated(product) -> bool:
    """Does the product's warning withhold its content until the shopper chooses to see it?"""
    return rule.is_gated(product.warning_level)
