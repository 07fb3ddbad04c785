"""Oscar's `currency` filter with its answers remembered, loaded wherever a template says
`{% load currency_filters %}` (TEMPLATES' `libraries` in settings). Babel's formatting costs about
40 us a call, and the basket and checkout pages format the same few amounts a dozen times each."""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.translation import get_language
from oscar.templatetags import currency_filters

register = template.Library()


@register.filter(name="currency")
def currency(value, currency_format=None) -> str:
    try:
        amount = Decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        return ""
    # Keyed on the amount as written: 1.5 and 1.50 are equal Decimals, not always equal text.
    return _formatted(
        str(amount), currency_format or settings.OSCAR_DEFAULT_CURRENCY, get_language()
    )


@lru_cache(maxsize=4096)
def _formatted(amount: str, currency_code: str, language: str | None) -> str:
    return currency_filters.currency(Decimal(amount), currency_code)
