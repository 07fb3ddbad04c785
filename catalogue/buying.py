"""Three rules every page that sells shows the same way: which price a shopper sees, the words for
its stock (`stock_state`: "In stock", "Only 3 left", "Sold out"), and what they can do about a
product (the purchase action). Listing tiles, article cards, the basket and the product page render
these answers each in their own markup; none decides for itself."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.translation import gettext as _
from oscar.core.loading import get_class

NoTax = get_class("partner.strategy", "NoTax")

LOW_STOCK = 5


def shown_price(price) -> Decimal | None:
    """The amount a shopper is shown for Oscar's price: with tax when the tax is known (the shop
    sells tax-inclusive), else before tax; None when there is no price."""
    if not price.exists:
        return None
    return price.incl_tax if price.is_tax_known else price.excl_tax


def charges_tax(strategy) -> bool:
    """Whether the shop's pricing adds tax, so pages show prices before and after it. Oscar's
    strategy decides (partner.strategy; the shop's Default uses NoTax): with no tax, every page
    shows one price and no tax column."""
    return not isinstance(strategy, NoTax)


@dataclass(frozen=True)
class StockState:
    code: str  # "in-stock", "low-stock" or "sold-out": a CSS modifier
    label: str
    is_available: bool


def stock_state(info) -> StockState:
    """The stock words for Oscar's purchase `info`, in place of its availability messages
    ("Unavailable", "In stock (3 available)"), so that every page says "Sold out" alike."""
    return stock_words(
        is_available=info.availability.is_available_to_buy,
        # Only a stock-tracking availability knows a number; others are simply in stock.
        left=getattr(info.availability, "num_available", None),
    )


def stock_words(*, is_available: bool, left: int | None) -> StockState:
    """The stock words for an availability: sold out, or available with `left` units (None when
    the product keeps no count)."""
    if not is_available:
        return StockState("sold-out", _("Sold out"), False)
    if left is not None and left <= LOW_STOCK:
        return StockState("low-stock", _("Only %(count)d left") % {"count": left}, True)
    return StockState("in-stock", _("In stock"), True)


class PurchaseAction(StrEnum):
    CHOOSE_OPTIONS = "choose-options"  # a parent or a product with options: on its own page
    CONFIRM_AGE = "confirm-age"  # adult, and the shopper has not confirmed 18+ yet
    ADD_TO_BASKET = "add-to-basket"
    NOTIFY_ME = "notify-me"  # sold out: a stock alert
    NONE = "none"  # not for sale (no price)


def purchase_action(product, info, consent, *, takes_options: bool = False) -> PurchaseAction:
    """What the shopper can do with `product`, given Oscar's purchase `info` and their `consent`
    (catalogue.consent). Checked in the order a shopper meets the obstacles. `takes_options`: the
    page's own form asks for the product's options (the product page), so they are no obstacle."""
    if product.is_parent or (product.has_options and not takes_options):
        return PurchaseAction.CHOOSE_OPTIONS
    # A variant is as adult as its parent.
    if consent.blocks_purchase(product) or (
        product.parent_id is not None and consent.blocks_purchase(product.parent)
    ):
        return PurchaseAction.CONFIRM_AGE
    if not info.price.exists:
        return PurchaseAction.NONE
    if info.availability.is_available_to_buy:
        return PurchaseAction.ADD_TO_BASKET
    return PurchaseAction.NOTIFY_ME


# The product a shopper just added to the basket, and the page the add sent them back to: that page
# confirms it beside the product's own card (an article's cards do), once.
JUST_ADDED = "catalogue:just-added"


def confirms_adds(view):
    """Marks a view whose page confirms an add that sent the shopper back to it (`just_added`)."""
    view.confirms_adds = True
    return view


def remember_added(request, product, *, back_to: str) -> None:
    """After `product` went into the basket and the shopper is sent to `back_to` (a URL of this
    site): what that page is to confirm, when it is a page that confirms adds (`confirms_adds`).
    An add on its way to the basket or the checkout leaves no note, which no page would read; a
    guest's basket is in a cookie, so that add writes no session at all (in a drop every shopper's
    add made a session row, and the checkout's next page wrote it again)."""
    path = urlsplit(back_to).path
    prefix = get_script_prefix()  # in the URL, not in what the URLconf resolves
    try:
        view = resolve("/" + path.removeprefix(prefix)).func
    except Resolver404:
        return
    if getattr(view, "confirms_adds", False):
        request.session[JUST_ADDED] = [product.pk, path]


def just_added(request) -> int | None:
    """The id of the product just added from a page that sent the shopper back here, once; None
    on any other page or visit. Reads the session only when the shopper has one (no query else)."""
    if not hasattr(request, "session") or JUST_ADDED not in request.session:
        return None
    entry = request.session.pop(JUST_ADDED)
    try:
        product_id, path = entry
    except (TypeError, ValueError):
        return None
    return product_id if path == request.path and isinstance(product_id, int) else None
