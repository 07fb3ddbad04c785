from decimal import Decimal

import pytest

from shop.payments.money import from_minor_units, minor_units


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.50", "USD", 1250),
        ("0.01", "usd", 1),
        ("29.995", "EUR", 3000),  # half up, as a till rounds
        ("500", "JPY", 500),  # zero-decimal: yen have no cents
        ("1200", "krw", 1200),
    ],
)
def test_amounts_go_to_stripe_in_minor_units(amount, currency, minor):
    assert minor_units(Decimal(amount), currency) == minor


def test_minor_units_come_back_as_money():
    assert from_minor_units(1250, "USD") == Decimal("12.50")
    assert from_minor_units(500, "JPY") == Decimal("500.00")
