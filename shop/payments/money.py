"""Amounts for Stripe: integers in the currency's minor unit, computed on the server."""

from decimal import ROUND_HALF_UP, Decimal

# Stripe's zero-decimal currencies: the amount is already in whole units (¥500 is 500, not 50000).
# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)


def minor_units(amount: Decimal, currency: str) -> int:
    """$12.50 → 1250; ¥500 → 500. Rounds half up, as a till would."""
    exponent = 0 if currency.lower() in ZERO_DECIMAL else 2
    return int((Decimal(amount) * 10**exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = 0 if currency.lower() in ZERO_DECIMAL else 2
    return (Decimal(amount) / 10**exponent).quantize(Decimal("0.01"))
