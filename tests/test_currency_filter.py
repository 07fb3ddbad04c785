"""`{{ amount|currency }}` (shop.money) reads as Oscar's filter writes it, and an amount already written is not
formatted by Babel again."""

from decimal import Decimal

import pytest
from django.template import engines
from oscar.templatetags import currency_filters

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the database

AMOUNTS = [Decimal("10.00"), Decimal("0"), Decimal("1234.5"), Decimal("-3.10"), "7.25", 12, ""]


def rendered(amount, *args) -> str:
    template = engines["django"].from_string(
        "{% load currency_filters %}"
        + ("{{ amount|currency:code }}" if args else "{{ amount|currency }}")
    )
    return template.render({"amount": amount, "code": args[0] if args else None})


@pytest.mark.parametrize("amount", AMOUNTS)
def test_amounts_read_as_oscars_filter_writes_them(amount):
    assert rendered(amount) == currency_filters.currency(amount)
    assert rendered(amount, "EUR") == currency_filters.currency(amount, "EUR")


def test_a_price_shown_again_is_not_formatted_again(monkeypatch):
    calls = []
    babel_format = currency_filters.format_currency

    def counting(*args, **kwargs):
        calls.append(args)
        return babel_format(*args, **kwargs)

    monkeypatch.setattr(currency_filters, "format_currency", counting)
    first = rendered(Decimal("98765.43"))
    again = rendered(Decimal("98765.43"))

    assert first == again == "$98,765.43"
    assert len(calls) == 1


def test_a_changed_currency_setting_is_heeded(settings):
    rendered(Decimal("5.00"))
    settings.OSCAR_DEFAULT_CURRENCY = "EUR"
    settings.OSCAR_CURRENCY_FORMAT = {}
    assert rendered(Decimal("5.00")) == currency_filters.currency(Decimal("5.00"), "EUR")
