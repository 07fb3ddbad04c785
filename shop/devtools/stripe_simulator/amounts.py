"""Amounts as Stripe bounds and shows them: the limits per charge, and money in its messages."""

from shop.payments.money import ZERO_DECIMAL, from_minor_units

MAX_AMOUNT = 99_999_999
# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies, "Minimum and
# maximum charge amounts"); others default to 1.
MINIMUM_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50}
CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}


def format_amount(amount: int, currency: str) -> str:
    """1250 usd → "$12.50", as Stripe's messages and the 3-D Secure page show money."""
    value = from_minor_units(amount, currency)
    text = f"{value:,.0f}" if currency in ZERO_DECIMAL else f"{value:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"
