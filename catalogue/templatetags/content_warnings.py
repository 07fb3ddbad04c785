"""Template access to the shopper's content choice (catalogue.consent)."""

from django import template

from catalogue.consent import consent_for

register = template.Library()


@register.simple_tag(takes_context=True)
def content_consent(context):
    """`{% content_consent as consent %}` then `consent|withholds:product`."""
    request = context.get("request")
    return consent_for(request) if request is not None else None


@register.filter
def withholds(consent, product) -> bool:
    return product.is_withheld_by_default if consent is None else consent.withholds(product)


@register.filter
def blocks_purchase(consent, product) -> bool:
    return product.is_adult if consent is None else consent.blocks_purchase(product)
