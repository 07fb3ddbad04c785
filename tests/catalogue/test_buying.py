"""The two selling rules every page shares (catalogue.buying): the price shown and what the shopper
can do. Tiles, article cards and the product page only render these answers."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from oscar.apps.partner import prices

from catalogue.buying import PurchaseAction, purchase_action, shown_price
from catalogue.consent import Consent


def item(*, is_parent=False, has_options=False, is_adult=False, parent=None):
    return SimpleNamespace(
        is_parent=is_parent,
        has_options=has_options,
        is_adult=is_adult,
        parent=parent,
        parent_id=None if parent is None else 1,
    )


def info(*, price="12.00", available=True):
    price = (
        prices.FixedPrice("USD", excl_tax=Decimal(price), tax=Decimal("0.00")) if price else None
    )
    return SimpleNamespace(
        price=price or prices.Unavailable(),
        availability=SimpleNamespace(is_available_to_buy=available),
    )


def test_shown_price_includes_tax_when_known_and_is_none_without_a_price():
    assert shown_price(prices.FixedPrice("USD", excl_tax=Decimal("10"), tax=Decimal("2"))) == 12
    assert shown_price(prices.FixedPrice("USD", excl_tax=Decimal("10"))) == 10  # tax unknown
    assert shown_price(prices.Unavailable()) is None


@pytest.mark.parametrize(
    ("product", "purchase", "consent", "expected"),
    [
        (item(), info(), Consent(), PurchaseAction.ADD_TO_BASKET),
        (item(), info(available=False), Consent(), PurchaseAction.NOTIFY_ME),
        (item(), info(price=None, available=False), Consent(), PurchaseAction.NONE),
        (item(is_parent=True), info(), Consent(), PurchaseAction.CHOOSE_OPTIONS),
        (item(has_options=True), info(), Consent(), PurchaseAction.CHOOSE_OPTIONS),
        (item(is_adult=True), info(), Consent(), PurchaseAction.CONFIRM_AGE),
        (
            item(is_adult=True),
            info(),
            Consent(is_adult_confirmed=True),
            PurchaseAction.ADD_TO_BASKET,
        ),
        (item(parent=item(is_adult=True)), info(), Consent(), PurchaseAction.CONFIRM_AGE),
        # Options come before the age check: the shopper chooses on the product page first.
        (item(is_parent=True, is_adult=True), info(), Consent(), PurchaseAction.CHOOSE_OPTIONS),
        # Sold out and adult: the age check first, or the alert would promise a sale it refuses.
        (item(is_adult=True), info(available=False), Consent(), PurchaseAction.CONFIRM_AGE),
    ],
)
def test_purchase_action(product, purchase, consent, expected):
    assert purchase_action(product, purchase, consent) == expected


def test_the_product_page_takes_options_in_its_own_form():
    product = item(has_options=True)
    assert purchase_action(product, info(), Consent(), takes_options=True) == "add-to-basket"
