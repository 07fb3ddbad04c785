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
    scale = _minor_units_per_unit(currency)
    return int((Decimal(amount) * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    return (Decimal(amount) / _minor_units_per_unit(currency)).quantize(Decimal("0.01"))


def _minor_units_per_unit(currency: str) -> int:
    return 1 if currency.lower() in ZERO_DECIMAL else 100
