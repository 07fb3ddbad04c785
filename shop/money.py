"""Oscar's `currency` filter, remembering what it wrote.

`use_in_templates()` (ShopConfig.ready) registers it as the `currency` filter of Oscar's
`currency_filters` library, so `{% load currency_filters %}` and `{{ price|currency }}` are
unchanged. (Naming another module for that library in settings.TEMPLATES works too, but Django's
checks then warn, templates.W003, of two modules with one name.)

Oscar's filter has Babel work out the locale's pattern and the currency's symbol and digits for
every amount: about eighty Python calls a price, ten to twenty prices on the basket and review
pages. The same amount, currency and language always read
the same, so each is formatted once per process (the amount as written, so 10.0 and 10.00 are
told apart as Oscar's filter would see them).
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from oscar.templatetags import currency_filters


def use_in_templates() -> None:
    currency_filters.register.filter("currency", currency)


def currency(value, currency_format=None):
    try:
        amount = str(Decimal(value))
    except (TypeError, InvalidOperation):
        return ""
    return _formatted(amount, currency_format, get_language())


@lru_cache(maxsize=4096)
def _formatted(amount: str, currency_format, language) -> str:
    return currency_filters.currency(amount, currency_format)


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting in {"OSCAR_DEFAULT_CURRENCY", "OSCAR_CURRENCY_FORMAT", "LANGUAGE_CODE"}:
        _formatted.cache_clear()
